using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PosSupport.Core.Data;
using PosSupport.Core.Evidence;

namespace PosSupport.Web.Tests.Api;

/// <summary>
/// An upload's file is written and flushed to disk before its transaction begins, so the flush does not hold SQLite's
/// single writer; and only for a case the caller may add to.
/// </summary>
[Collection(SharedApiWorld.Name)]
public sealed class EvidenceUploadApiTests(ApiWorld world)
{
    private async Task<Guid> OpenCaseAsync()
    {
        var (merchant, _) = await world.MerchantAsync();
        return (await world.ChannelA.PostApiAsync("/api/v1/cases", new
        {
            type = "data-fee-cancellation", merchantId = merchant, description = "扣了流量费", claimAmountFen = 9_900, claimChargedOn = "2026-06-01",
        }).CreatedAsync()).GetProperty("id").GetGuid();
    }

    private string StoredPath(byte[] content) => world.Host.Services.GetRequiredService<EvidenceFiles>().PathOf(EvidenceFiles.Sha256(content));

    [Fact]
    public async Task An_uploads_file_reaches_the_disk_while_another_request_holds_the_writer_and_is_filed_once_it_is_free()
    {
        var id = await OpenCaseAsync();
        var file = Files.Pdf("statement while the writer is busy " + Guid.NewGuid());

        Task<HttpResponseMessage> upload;
        await using (await world.Host.Services.GetRequiredService<CaseDatabase>().EnterWriteAsync(CancellationToken.None))
        {
            upload = world.ChannelA.PostApiAsync($"/api/v1/cases/{id}/evidence", Http.Upload("settlement-statement", file, "june.pdf"));
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(StoredPath(file)) && waited.Elapsed < TimeSpan.FromSeconds(20) && !upload.IsCompleted) await Task.Delay(20);

            Assert.Equal(file, await File.ReadAllBytesAsync(StoredPath(file)));
            // Filing the item needs the writer, which this test still holds.
            Assert.False(upload.IsCompleted);
        }

        var item = await upload.CreatedAsync();
        Assert.Equal(("received", EvidenceFiles.Sha256(file)), (item.GetProperty("status").GetString(), item.GetProperty("sha256").GetString()));
    }

    [Fact]
    public async Task An_upload_to_a_case_the_channel_does_not_see_stores_nothing()
    {
        var id = await OpenCaseAsync();
        var file = Files.Png("not for channel b " + Guid.NewGuid());

        using var response = await world.ChannelB.PostApiAsync($"/api/v1/cases/{id}/evidence", Http.Upload("device-photo", file, "photo.png"));

        await response.ProblemAsync(404);
        Assert.False(File.Exists(StoredPath(file)));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
