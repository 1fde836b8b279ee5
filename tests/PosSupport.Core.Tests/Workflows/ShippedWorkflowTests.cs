using System.Security.Cryptography;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Tests.Workflows;

public class ShippedWorkflowTests
{
    [Fact]
    public void The_three_case_kinds_ship_as_valid_definitions()
    {
        Assert.Equal(["data-fee-cancellation", "device-replacement", "fee-rate-dispute"],
            RandomCases.ShippedWorkflows.All.Select(d => d.Id).Distinct());
    }

    [Fact]
    public void A_definitions_hash_is_the_sha256_of_its_file()
    {
        foreach (var definition in RandomCases.ShippedWorkflows.All)
        {
            var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "workflows", definition.SourceFile));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), definition.Sha256);
        }
    }

    [Fact]
    public void Diagram_highlights_a_hyphenated_current_state_by_its_mermaid_id()
    {
        var definition = RandomCases.ShippedWorkflows.All.Last(d => d.Id == "data-fee-cancellation");

        var diagram = WorkflowDiagram.ToMermaid(definition, "collecting-evidence");

        Assert.Contains("collectingevidence : collecting-evidence", diagram, StringComparison.Ordinal);
        Assert.EndsWith("class collectingevidence current", diagram.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_state_and_transition_has_english_and_chinese_titles_that_differ()
    {
        foreach (var definition in RandomCases.ShippedWorkflows.All)
        {
            var texts = new List<LocalizedText> { definition.Title };
            texts.AddRange(definition.States.Select(s => s.Title));
            texts.AddRange(definition.States.SelectMany(s => s.Transitions).Select(t => t.Title));
            texts.AddRange(definition.States.SelectMany(s => s.Transitions).SelectMany(t => t.Inputs).Select(i => i.Title));
            texts.AddRange(definition.Outcomes.Values);
            texts.AddRange(definition.Messages.Values);
            // A Chinese text identical to the English one is an untranslated copy.
            Assert.All(texts, t => Assert.NotEqual(t.En, t.ZhCn));
        }
    }
}

public class OfferKindTitleTests
{
    [Fact]
    public void Every_offer_kind_a_shipped_workflow_can_propose_has_a_title_in_both_languages()
    {
        var kinds = RandomCases.ShippedWorkflows.All
            .SelectMany(d => d.States).SelectMany(s => s.Transitions)
            .Where(t => t.Trigger == "propose-offer")
            .SelectMany(t => t.Inputs).Where(i => i.Name == "kind").SelectMany(i => i.Options)
            .Distinct().ToList();

        Assert.NotEmpty(kinds);
        Assert.All(kinds, kind => Assert.True(PosSupport.Core.Cases.OfferKinds.IsKnown(kind), $"offer kind '{kind}' has no title"));
    }
}
