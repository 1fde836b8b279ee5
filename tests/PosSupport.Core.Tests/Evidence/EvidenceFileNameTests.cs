using PosSupport.Core.Evidence;
using PosSupport.Core.Tests.Support;

namespace PosSupport.Core.Tests.Evidence;

public sealed class EvidenceFileNameTests
{
    [Theory]
    [InlineData("../../etc/passwd", "image/jpeg", "passwd.jpg")]
    [InlineData(@"..\..\Windows\System32\evil.exe", "image/png", "evil.png")]
    [InlineData("/var/lib/possupport/evidence/ab/abcdef", "application/pdf", "abcdef.pdf")]
    [InlineData("..", "image/jpeg", "evidence.jpg")]
    [InlineData("", "image/png", "evidence.png")]
    [InlineData(null, "application/pdf", "evidence.pdf")]
    [InlineData(".bashrc", "image/jpeg", "bashrc.jpg")]
    [InlineData("营业执照 2026.JPG", "image/jpeg", "营业执照 2026.jpg")]
    [InlineData("photo.jpeg", "image/jpeg", "photo.jpeg")]
    [InlineData("scan.jpg", "application/pdf", "scan.pdf")]
    [InlineData("Mr. Wang licence", "image/png", "Mr. Wang licence.png")]
    [InlineData("bad\0name\r\n\t.png", "image/png", "badname.png")]
    [InlineData("invoice\u202Egpj.exe", "image/jpeg", "invoicegpj.jpg")]
    [InlineData("con:<>|?*\".pdf", "application/pdf", "con.pdf")]
    [InlineData("statement.pdf.", "application/pdf", "statement.pdf")]
    public void A_file_name_is_reduced_to_a_safe_display_name(string? given, string mediaType, string shown) =>
        Assert.Equal(shown, EvidenceFiles.DisplayName(given, mediaType));

    [Fact]
    public void A_long_name_is_cut_to_120_characters_keeping_its_extension_and_never_half_a_character()
    {
        Assert.Equal(new string('a', 116) + ".png", EvidenceFiles.DisplayName(new string('a', 200) + ".png", "image/png"));
        // The cut would fall between the two halves of an emoji: the whole emoji goes.
        Assert.Equal(new string('a', 115) + ".png", EvidenceFiles.DisplayName(new string('a', 115) + "😀😀.png", "image/png"));
    }

    [Theory]
    [MemberData(nameof(Contents))]
    public void The_media_type_is_read_from_the_first_bytes(string kind, byte[] content, string? mediaType)
    {
        Assert.NotNull(kind);
        Assert.Equal(mediaType, EvidenceFiles.DetectMediaType(content));
    }

    public static TheoryData<string, byte[], string?> Contents() => new()
    {
        { "jpeg", Files.Jpeg(), "image/jpeg" },
        { "png", Files.Png(), "image/png" },
        { "pdf", Files.Pdf(), "application/pdf" },
        { "exe", Files.WindowsExecutable(), null },
        { "gif", "GIF89a"u8.ToArray(), null },
        { "truncated png", [0x89, 0x50, 0x4E, 0x47], null },
        { "empty", [], null },
        { "pdf not at the start", " %PDF-1.7"u8.ToArray(), null },
    };

    [Fact]
    public void A_path_is_made_only_from_a_well_formed_hash()
    {
        var files = new EvidenceFiles(new global::PosSupport.Core.Data.PosSupportOptions { DataDirectory = "/data" });
        var sha = EvidenceFiles.Sha256("x"u8);

        Assert.Equal(Path.Combine("/data", "evidence", sha[..2], sha), files.PathOf(sha));
        Assert.Throws<ArgumentException>(() => files.PathOf("../../etc/passwd"));
        Assert.Throws<ArgumentException>(() => files.PathOf(sha.ToUpperInvariant()));
    }
}
