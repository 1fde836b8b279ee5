using PosSupport.Core.Cases;
using PosSupport.Core.Evidence;
using PosSupport.Core.Pipeline;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Slices;

public abstract class EvidenceTests<TFixture>(TFixture fixture) where TFixture : SliceFixture
{
    protected TFixture Fixture { get; } = fixture;
    private static readonly Caller Agent = Caller.Agent(Guid.NewGuid());

    private string StoredPath(string sha256) => Path.Combine(Fixture.Options.DataDirectory, "evidence", sha256[..2], sha256);

    private Task<SubmitEvidence.Result> SubmitAsync(Guid caseId, Caller caller, string type, string fileName, byte[] content, long? expectedVersion = null) =>
        Fixture.SendAsync(new SubmitEvidence.Command(caseId, type, fileName, content, caller, expectedVersion));

    private Task<long> ItemCountAsync(Guid caseId, string? status = null) =>
        Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM evidence_items WHERE case_id = @caseId AND (@status IS NULL OR status = @status)", new { caseId, status });

    [Fact]
    public async Task A_submitted_document_fills_the_requested_checklist_row_and_is_kept_on_disk_by_its_hash()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var requested = await ItemCountAsync(opened.Id);
        var content = Files.Jpeg(Guid.NewGuid().ToString());

        var stored = await SubmitAsync(opened.Id, channel, "business-licence", "营业执照.jpg", content);

        Assert.Equal(("received", "image/jpeg", "营业执照.jpg", false), (stored.Status, stored.MediaType, stored.FileName, stored.AlreadyStored));
        Assert.Equal(requested, await ItemCountAsync(opened.Id));
        Assert.Equal(("received", stored.Sha256, channel.Id), await Fixture.WithConnectionAsync(c => Dapper.SqlMapper.QuerySingleAsync<(string, string, string)>(c,
            "SELECT status, sha256, submitted_by FROM evidence_items WHERE id = @EvidenceId", stored)));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)), stored.Sha256);
        Assert.Equal(content, await File.ReadAllBytesAsync(StoredPath(stored.Sha256)));
        Assert.Equal(opened.Version + 1, stored.Version);
        Assert.Equal("merchant", await Fixture.ScalarAsync<string>(
            "SELECT visibility FROM case_events WHERE case_id = @Id AND kind = 'evidence-received'", opened));
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task The_same_file_sent_twice_is_stored_once_and_answers_with_the_first_item()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var content = Files.Pdf(Guid.NewGuid().ToString());
        var first = await SubmitAsync(opened.Id, channel, "settlement-statement", "statement.pdf", content);
        var events = await Fixture.EventCountAsync(opened.Id);

        var again = await SubmitAsync(opened.Id, channel, "settlement-statement", "statement (1).pdf", content);

        Assert.True(again.AlreadyStored);
        Assert.Equal((first.EvidenceId, first.Version, "statement.pdf"), (again.EvidenceId, again.Version, again.FileName));
        Assert.Equal(1, await Fixture.ScalarAsync<long>("SELECT COUNT(*) FROM evidence_items WHERE sha256 = @Sha256", first));
        Assert.Equal(events, await Fixture.EventCountAsync(opened.Id));
        Assert.Equal(first.Version, await Fixture.VersionAsync(opened.Id));
    }

    [Fact]
    public async Task Five_identical_uploads_at_once_leave_one_item_and_all_get_it()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();

        // A few rounds, each released at once, so the race between the twins is really run.
        for (var round = 1; round <= 3; round++)
        {
            var content = Files.Png(Guid.NewGuid().ToString());
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var uploads = Enumerable.Range(0, 5).Select(_ => Task.Run(async () =>
            {
                await start.Task;
                return await SubmitAsync(opened.Id, channel, "transaction-records", "records.png", content);
            })).ToList();
            start.SetResult();
            var answers = await Task.WhenAll(uploads);

            var id = Assert.Single(await Fixture.QueryAsync<Guid>("SELECT id FROM evidence_items WHERE sha256 = @sha", new { sha = EvidenceFiles.Sha256(content) }));
            Assert.All(answers, answer => Assert.Equal(id, answer.EvidenceId));
            Assert.Equal(4, answers.Count(a => a.AlreadyStored));
            Assert.Equal(round, await Fixture.EventCountAsync(opened.Id, "evidence-received"));
        }
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task Identical_bytes_on_two_cases_are_two_items_sharing_one_stored_file()
    {
        var (first, firstChannel) = await Fixture.OpenDataFeeCaseAsync();
        var (second, secondChannel) = await Fixture.OpenDataFeeCaseAsync();
        var content = Files.Jpeg(Guid.NewGuid().ToString());

        var a = await SubmitAsync(first.Id, firstChannel, "business-licence", "licence.jpg", content);
        var b = await SubmitAsync(second.Id, secondChannel, "business-licence", "licence.jpg", content);

        Assert.NotEqual(a.EvidenceId, b.EvidenceId);
        Assert.False(b.AlreadyStored);
        Assert.Equal(a.Sha256, b.Sha256);
        var root = Path.Combine(Fixture.Options.DataDirectory, "evidence");
        Assert.Single(Directory.GetFiles(root, "*", SearchOption.AllDirectories), f => File.ReadAllBytes(f).AsSpan().SequenceEqual(content));
        Assert.Empty(Directory.GetFiles(root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task The_media_type_comes_from_the_bytes_so_a_pdf_named_jpg_is_a_pdf()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();

        var stored = await SubmitAsync(opened.Id, channel, "settlement-statement", "scan.jpg", Files.Pdf(Guid.NewGuid().ToString()));

        Assert.Equal(("application/pdf", "scan.pdf"), (stored.MediaType, stored.FileName));
    }

    [Fact]
    public async Task An_executable_disguised_as_a_png_is_refused_and_nothing_is_stored()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var content = Files.WindowsExecutable();

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => SubmitAsync(opened.Id, channel, "business-licence", "licence.png", content));

        Assert.Equal("The file is not a JPEG, PNG or PDF file (judged by its content, not its name).", Assert.Single(error.Errors["Content"]));
        Assert.False(File.Exists(StoredPath(EvidenceFiles.Sha256(content))));
        Assert.Equal(0, await ItemCountAsync(opened.Id, "received"));
    }

    [Fact]
    public async Task A_pdf_is_refused_for_a_type_that_takes_only_photos()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            SubmitAsync(opened.Id, channel, "device-photo", "photo.pdf", Files.Pdf(Guid.NewGuid().ToString())));

        Assert.Equal("A photo of the device must be a JPEG or PNG file; this one is PDF.", Assert.Single(error.Errors["Content"]));
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_naming_the_limit()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var content = new byte[Fixture.Options.Evidence.MaxBytes + 1];
        Files.Jpeg().CopyTo(content, 0);

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => SubmitAsync(opened.Id, channel, "business-licence", "big.jpg", content));

        Assert.Equal("The file is larger than the limit of 10 MB.", Assert.Single(error.Errors["Content"]));
        Assert.Equal(0, await ItemCountAsync(opened.Id, "received"));
    }

    [Fact]
    public async Task An_empty_file_of_an_unknown_type_reports_both_problems_at_once()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => SubmitAsync(opened.Id, channel, "selfie", "me.jpg", []));

        Assert.Equal(["Content", "Type"], error.Errors.Keys.Order());
        Assert.Equal("The file is empty.", Assert.Single(error.Errors["Content"]));
        Assert.Equal("'selfie' is not an evidence type.", Assert.Single(error.Errors["Type"]));
    }

    [Fact]
    public async Task A_path_traversal_file_name_is_kept_only_as_a_harmless_display_name()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var content = Files.Jpeg(Guid.NewGuid().ToString());

        var stored = await SubmitAsync(opened.Id, channel, "business-licence", "../../etc/passwd", content);

        Assert.Equal("passwd.jpg", stored.FileName);
        Assert.Equal("passwd.jpg", await Fixture.ScalarAsync<string>("SELECT file_name FROM evidence_items WHERE id = @EvidenceId", stored));
        Assert.True(File.Exists(StoredPath(stored.Sha256)));
        var file = await Fixture.SendAsync(new GetEvidenceFile.Query(opened.Id, stored.EvidenceId, Agent));
        Assert.Equal(("passwd.jpg", "image/jpeg"), (file.FileName, file.MediaType));
        Assert.Equal(content, file.Content);
    }

    [Fact]
    public async Task A_document_nobody_asked_for_is_filed_as_an_extra_received_item()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var before = await ItemCountAsync(opened.Id);

        var stored = await SubmitAsync(opened.Id, channel, "chat-records", "chat.png", Files.Png(Guid.NewGuid().ToString()));

        Assert.Equal(before + 1, await ItemCountAsync(opened.Id));
        Assert.Equal("received", stored.Status);
    }

    [Fact]
    public async Task A_channel_cannot_send_or_read_evidence_on_a_case_another_channel_opened()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var stored = await SubmitAsync(opened.Id, channel, "business-licence", "licence.jpg", Files.Jpeg(Guid.NewGuid().ToString()));
        var stranger = await Fixture.ChannelAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => SubmitAsync(opened.Id, stranger, "business-licence", "x.jpg", Files.Jpeg(Guid.NewGuid().ToString())));
        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new GetEvidenceFile.Query(opened.Id, stored.EvidenceId, stranger)));
        var own = await Fixture.SendAsync(new GetEvidenceFile.Query(opened.Id, stored.EvidenceId, channel));
        Assert.Equal(stored.Sha256, own.Sha256);
    }

    [Fact]
    public async Task Evidence_files_are_not_handed_to_system_jobs_and_a_requested_item_has_no_file()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var stored = await SubmitAsync(opened.Id, channel, "business-licence", "licence.jpg", Files.Jpeg(Guid.NewGuid().ToString()));
        var requested = (await Fixture.QueryAsync<Guid>("SELECT id FROM evidence_items WHERE case_id = @Id AND status = 'requested'", opened)).First();

        await Assert.ThrowsAsync<ForbiddenException>(() => Fixture.SendAsync(new GetEvidenceFile.Query(opened.Id, stored.EvidenceId, Caller.System("export"))));
        var missing = await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new GetEvidenceFile.Query(opened.Id, requested, Agent)));
        Assert.Equal("Evidence file", missing.What);
        await Assert.ThrowsAsync<NotFoundException>(() => Fixture.SendAsync(new GetEvidenceFile.Query(opened.Id, Guid.NewGuid(), Agent)));
    }

    [Fact]
    public async Task A_closed_case_refuses_evidence()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        await Fixture.SendAsync(new FireTrigger.Command(opened.Id, "withdraw", new Dictionary<string, string>(), channel));

        await Assert.ThrowsAsync<ConflictException>(() => SubmitAsync(opened.Id, channel, "business-licence", "late.jpg", Files.Jpeg(Guid.NewGuid().ToString())));
        Assert.Equal(0, await ItemCountAsync(opened.Id, "received"));
    }

    [Fact]
    public async Task Evidence_sent_against_a_stale_version_is_a_conflict_and_changes_nothing()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        await SubmitAsync(opened.Id, channel, "business-licence", "licence.jpg", Files.Jpeg(Guid.NewGuid().ToString()));
        var events = await Fixture.EventCountAsync(opened.Id);

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            SubmitAsync(opened.Id, channel, "settlement-statement", "statement.pdf", Files.Pdf(Guid.NewGuid().ToString()), expectedVersion: opened.Version));

        Assert.Equal(opened.Version + 1, conflict.CurrentVersion);
        Assert.Equal(1, await ItemCountAsync(opened.Id, "received"));
        Assert.Equal(events, await Fixture.EventCountAsync(opened.Id));
    }

    [Fact]
    public async Task Rejected_evidence_is_requested_again_and_the_merchant_is_told_why_in_chinese()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync(language: "zh-CN");
        var stored = await SubmitAsync(opened.Id, channel, "business-licence", "licence.jpg", Files.Jpeg(Guid.NewGuid().ToString()));

        var reviewed = await Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, stored.EvidenceId, ReviewEvidence.Verdict.Reject, Agent, "照片模糊，看不清统一社会信用代码"));

        Assert.Equal(("rejected", "collecting-evidence"), (reviewed.Status, reviewed.State));
        Assert.Equal(("rejected", "照片模糊，看不清统一社会信用代码", Agent.Id), await Fixture.WithConnectionAsync(c => Dapper.SqlMapper.QuerySingleAsync<(string, string, string)>(c,
            "SELECT status, reason, reviewer_id FROM evidence_items WHERE id = @EvidenceId", stored)));
        Assert.Equal("requested", await Fixture.ScalarAsync<string>("SELECT status FROM evidence_items WHERE id = @RequestedAgainId", reviewed));
        Assert.Equal("business-licence", await Fixture.ScalarAsync<string>("SELECT type FROM evidence_items WHERE id = @RequestedAgainId", reviewed));
        var (language, body) = await Fixture.WithConnectionAsync(c => Dapper.SqlMapper.QuerySingleAsync<(string, string)>(c,
            "SELECT language, body FROM outbox_messages WHERE case_id = @Id AND template = 'evidence-rejected' AND recipient = 'merchant' AND status = 'pending'", opened));
        Assert.Equal("zh-CN", language);
        Assert.Equal($"工单{opened.Number}：您提交的营业执照未通过审核，请重新提交。原因：照片模糊，看不清统一社会信用代码", body);
        Assert.Equal(1, await Fixture.EventCountAsync(opened.Id, "evidence-rejected"));
        Assert.Equal(stored.Version + 1, reviewed.Version);
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task A_merchant_who_prefers_english_is_told_of_a_rejection_in_english()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync(language: "en");
        var stored = await SubmitAsync(opened.Id, channel, "transaction-records", "records.pdf", Files.Pdf(Guid.NewGuid().ToString()));

        await Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, stored.EvidenceId, ReviewEvidence.Verdict.Reject, Agent, "the last three months are missing"));

        Assert.Equal($"Case {opened.Number}: we could not accept the transaction records you sent. Please send it again. Reason: the last three months are missing",
            await Fixture.ScalarAsync<string>("SELECT body FROM outbox_messages WHERE case_id = @Id AND template = 'evidence-rejected'", opened));
    }

    [Fact]
    public async Task A_rejection_without_a_reason_is_refused()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var stored = await SubmitAsync(opened.Id, channel, "business-licence", "licence.jpg", Files.Jpeg(Guid.NewGuid().ToString()));

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, stored.EvidenceId, ReviewEvidence.Verdict.Reject, Agent, " ")));

        Assert.Equal("A rejection needs a reason the merchant can act on.", Assert.Single(error.Errors["Reason"]));
    }

    [Fact]
    public async Task Accepting_the_last_required_document_moves_the_case_on_to_assessing_by_itself()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var licence = await SubmitAsync(opened.Id, channel, "business-licence", "licence.jpg", Files.Jpeg(Guid.NewGuid().ToString()));
        var records = await SubmitAsync(opened.Id, channel, "transaction-records", "records.pdf", Files.Pdf(Guid.NewGuid().ToString()));
        var statement = await SubmitAsync(opened.Id, channel, "settlement-statement", "statement.png", Files.Png(Guid.NewGuid().ToString()));

        var first = await Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, licence.EvidenceId, ReviewEvidence.Verdict.Accept, Agent));
        var second = await Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, records.EvidenceId, ReviewEvidence.Verdict.Accept, Agent));
        Assert.Equal(("collecting-evidence", "collecting-evidence"), (first.State, second.State));

        var last = await Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, statement.EvidenceId, ReviewEvidence.Verdict.Accept, Agent, ExpectedVersion: second.Version));

        Assert.Equal(("accepted", "assessing"), (last.Status, last.State));
        Assert.Equal(("assessing", last.Version), await Fixture.WithConnectionAsync(c => Dapper.SqlMapper.QuerySingleAsync<(string, long)>(c,
            "SELECT state, version FROM cases WHERE id = @Id", opened)));
        Assert.Equal(("system", "evidence-review"), await Fixture.WithConnectionAsync(c => Dapper.SqlMapper.QuerySingleAsync<(string, string)>(c,
            "SELECT actor, actor_id FROM case_events WHERE case_id = @Id AND kind = 'transition' ORDER BY seq DESC LIMIT 1", opened)));
        Assert.Equal(0, await Fixture.ScalarAsync<long>(
            "SELECT COUNT(*) FROM follow_ups WHERE case_id = @Id AND state = 'collecting-evidence' AND status = 'pending'", opened));
        await Fixture.AssertTimelineContiguousAsync(opened.Id);
    }

    [Fact]
    public async Task Only_agents_and_supervisors_review_evidence()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var stored = await SubmitAsync(opened.Id, channel, "business-licence", "licence.jpg", Files.Jpeg(Guid.NewGuid().ToString()));

        await Assert.ThrowsAsync<ForbiddenException>(() =>
            Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, stored.EvidenceId, ReviewEvidence.Verdict.Accept, channel)));
        await Assert.ThrowsAsync<ForbiddenException>(() =>
            Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, stored.EvidenceId, ReviewEvidence.Verdict.Accept, Caller.System("job"))));
        var bySupervisor = await Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, stored.EvidenceId, ReviewEvidence.Verdict.Accept,
            Caller.Supervisor(Guid.NewGuid())));
        Assert.Equal("accepted", bySupervisor.Status);
    }

    [Fact]
    public async Task Only_a_received_item_can_be_reviewed()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var stored = await SubmitAsync(opened.Id, channel, "business-licence", "licence.jpg", Files.Jpeg(Guid.NewGuid().ToString()));
        await Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, stored.EvidenceId, ReviewEvidence.Verdict.Accept, Agent));
        var requested = (await Fixture.QueryAsync<Guid>("SELECT id FROM evidence_items WHERE case_id = @Id AND status = 'requested'", opened)).First();
        var version = await Fixture.VersionAsync(opened.Id);

        await Assert.ThrowsAsync<ConflictException>(() =>
            Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, stored.EvidenceId, ReviewEvidence.Verdict.Reject, Agent, "changed my mind")));
        await Assert.ThrowsAsync<ConflictException>(() =>
            Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, requested, ReviewEvidence.Verdict.Accept, Agent)));
        Assert.Equal(version, await Fixture.VersionAsync(opened.Id));
    }

    [Fact]
    public async Task Reviewing_an_item_of_another_case_or_an_unknown_item_is_not_found()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var (other, _) = await Fixture.OpenDataFeeCaseAsync();
        var stored = await SubmitAsync(opened.Id, channel, "business-licence", "licence.jpg", Files.Jpeg(Guid.NewGuid().ToString()));

        var wrongCase = await Assert.ThrowsAsync<NotFoundException>(() =>
            Fixture.SendAsync(new ReviewEvidence.Command(other.Id, stored.EvidenceId, ReviewEvidence.Verdict.Accept, Agent)));
        Assert.Equal("Evidence", wrongCase.What);
        await Assert.ThrowsAsync<NotFoundException>(() =>
            Fixture.SendAsync(new ReviewEvidence.Command(Guid.NewGuid(), stored.EvidenceId, ReviewEvidence.Verdict.Accept, Agent)));
    }

    [Fact]
    public async Task A_review_against_a_stale_version_is_a_conflict_and_leaves_the_item_received()
    {
        var (opened, channel) = await Fixture.OpenDataFeeCaseAsync();
        var stored = await SubmitAsync(opened.Id, channel, "business-licence", "licence.jpg", Files.Jpeg(Guid.NewGuid().ToString()));

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            Fixture.SendAsync(new ReviewEvidence.Command(opened.Id, stored.EvidenceId, ReviewEvidence.Verdict.Accept, Agent, ExpectedVersion: opened.Version)));

        Assert.Equal("received", await Fixture.ScalarAsync<string>("SELECT status FROM evidence_items WHERE id = @EvidenceId", stored));
    }
}

public sealed class EvidenceOnSqlite(SqliteSliceFixture fixture) : EvidenceTests<SqliteSliceFixture>(fixture), IClassFixture<SqliteSliceFixture>;

public sealed class EvidenceOnPostgres(PostgresSliceFixture fixture) : EvidenceTests<PostgresSliceFixture>(fixture), IClassFixture<PostgresSliceFixture>;
