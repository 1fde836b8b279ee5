using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;

namespace PosSupport.Testing;

/// <summary>
/// One load client of the fault scenarios: case after case, it opens a data-fee case for a merchant with a contract,
/// sends a message from the opener and one from staff, adds a note, uploads a document, and on every other case
/// escalates it (the rest stay collecting evidence, with their reminder follow-up pending). Every 2xx goes into the
/// <see cref="EffectLedger"/>; any other answer is kept as unexpected; a request without an answer (a killed host)
/// counts as unanswered.
/// </summary>
public sealed class CaseLoad(EffectLedger ledger, IReadOnlyList<Guid> merchants)
{
    private readonly ConcurrentQueue<string> _unexpected = new();
    private long _commands;

    /// <summary>Answers that were neither a 2xx nor a transport failure (e.g. a 5xx), with the command that got them.</summary>
    public IReadOnlyCollection<string> Unexpected => _unexpected;

    public long Commands => Interlocked.Read(ref _commands);

    /// <param name="opener">Opens the case, sends the merchant's message and the document (a channel acts as the merchant).</param>
    /// <param name="staff">An agent: its reply, the note and the escalation.</param>
    /// <param name="stop">Ends the loop; a request already sent is not cancelled (a kill decides its fate, not the client).</param>
    /// <param name="openerIsChannel">Channel messages carry a provider message id; staff ones must not.</param>
    public async Task RunAsync(string name, FaultApi opener, FaultApi staff, bool openerIsChannel, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(opener);
        ArgumentNullException.ThrowIfNull(staff);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var token = string.Create(CultureInfo.InvariantCulture, $"{name}-{n}-{Guid.NewGuid():N}");
            UnansweredRequest? inFlight = null;
            // Sends a request and remembers it until it is answered: a request without an answer is kept to be retried.
            Task<ApiAnswer?> Request(string command, string effects, Func<FaultApi, Task<ApiAnswer>> send, bool byOpener)
            {
                inFlight = new UnansweredRequest(name, command, token, api => send(api), effects);
                return Send(command, send(byOpener ? opener : staff));
            }
            try
            {
                var merchant = merchants[Random.Shared.Next(merchants.Count)];
                var opened = await Request("open", "SELECT COUNT(*) FROM cases WHERE conversation_id = @token", api => api.PostAsync("cases", new
                {
                    type = "data-fee-cancellation", merchantId = merchant, description = "故障演练 " + token, conversationId = token,
                    claimAmountFen = 9900, claimChargedOn = "2026-06-01",
                }, token + "-open", cancellationToken: CancellationToken.None), byOpener: true).ConfigureAwait(false);
                if (opened is null) continue;
                var caseId = opened.GuidOf("id");
                ledger.Add(new Acknowledged(EffectKind.CaseOpened, caseId, opened.LongOf("version")));
                var path = $"cases/{caseId:D}";

                var inbound = await Request("message", "SELECT COUNT(*) FROM case_messages WHERE text = " + (openerIsChannel ? "'我的流量费 '" : "'您好 '") + " || @token",
                    api => api.PostAsync(path + "/messages",
                    new { text = (openerIsChannel ? "我的流量费 " : "您好 ") + token, providerMessageId = openerIsChannel ? token : null },
                    token + "-message", cancellationToken: CancellationToken.None), byOpener: true).ConfigureAwait(false);
                if (inbound is not null) ledger.Add(new Acknowledged(EffectKind.Message, caseId, inbound.LongOf("version"), inbound.GuidOf("messageId")));

                if (openerIsChannel)
                {
                    var reply = await Request("reply", "SELECT COUNT(*) FROM case_messages WHERE text = '已收到 ' || @token",
                        api => api.PostAsync(path + "/messages", new { text = "已收到 " + token }, token + "-reply", cancellationToken: CancellationToken.None), byOpener: false)
                        .ConfigureAwait(false);
                    if (reply is not null) ledger.Add(new Acknowledged(EffectKind.Message, caseId, reply.LongOf("version"), reply.GuidOf("messageId")));
                }

                var note = await Request("note", "SELECT COUNT(*) FROM case_events WHERE kind = 'note' AND data LIKE '%' || @token || '%'",
                    api => api.PostAsync(path + "/notes", new { text = token }, token + "-note", cancellationToken: CancellationToken.None), byOpener: false).ConfigureAwait(false);
                if (note is not null) ledger.Add(new Acknowledged(EffectKind.Note, caseId, note.LongOf("version"), Token: token));

                var evidence = await Request("evidence", "SELECT COUNT(*) FROM evidence_items WHERE sha256 = '" + Convert.ToHexStringLower(SHA256.HashData(FaultApi.Pdf(token))) + "'",
                    api => api.PostEvidenceAsync(caseId, "business-licence", FaultApi.Pdf(token), token + "-evidence", CancellationToken.None), byOpener: true).ConfigureAwait(false);
                if (evidence is not null) ledger.Add(new Acknowledged(EffectKind.Evidence, caseId, evidence.LongOf("version"), evidence.GuidOf("evidenceId")));

                if (n % 2 == 0)
                {
                    var escalated = await Request("escalate", "SELECT COUNT(*) FROM case_events WHERE kind = 'transition' AND data LIKE '%' || @token || '%'",
                        api => api.PostAsync(path + "/actions/escalate", new { inputs = new { reason = token } }, token + "-escalate", cancellationToken: CancellationToken.None),
                        byOpener: false).ConfigureAwait(false);
                    if (escalated is not null) ledger.Add(new Acknowledged(EffectKind.Transition, caseId, escalated.LongOf("version"), Token: token, Trigger: "escalate"));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                ledger.NoAnswer(inFlight);
                // The host is gone (killed): wait for the scenario to stop the clients rather than spin.
                try { await Task.Delay(200, stop).ConfigureAwait(false); }
                catch (OperationCanceledException) { }
            }
        }
    }

    private async Task<ApiAnswer?> Send(string command, Task<ApiAnswer> request)
    {
        var answer = await request.ConfigureAwait(false);
        Interlocked.Increment(ref _commands);
        if (answer.IsSuccess) return answer;
        _unexpected.Enqueue($"{command}: {answer} {Truncate(answer.Body)}");
        return null;
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
