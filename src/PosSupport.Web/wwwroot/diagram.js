// Draws a workflow's Mermaid state diagram (the text WorkflowDiagram writes) with the bundled mermaid 12.3.0
// (MIT, fetched from npm by the build, served at lib/mermaid/). The script is loaded on first use, not on every page.
let loading;

function loadMermaid() {
  if (window.mermaid) return Promise.resolve(window.mermaid);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'lib/mermaid/mermaid.min.js';
    script.onload = () => {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
      resolve(window.mermaid);
    };
    script.onerror = () => reject(new Error('mermaid.min.js did not load'));
    document.head.appendChild(script);
  });
  return loading;
}

let count = 0;

export async function render(element, text) {
  if (!element) return false;
  const mermaid = await loadMermaid();
  const { svg } = await mermaid.render('workflow-diagram-' + (++count), text);
  element.innerHTML = svg;
  return true;
}
