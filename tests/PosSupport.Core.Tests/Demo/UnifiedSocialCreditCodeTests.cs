using PosSupport.Core.Merchants;

namespace PosSupport.Core.Tests.Demo;

public sealed class UnifiedSocialCreditCodeTests
{
    // Codes printed on real business licences (public registration data) and the example of GB 32100-2015's explanations.
    [Theory]
    [InlineData("91350100M000100Y43")]
    [InlineData("9144030071526726XG")]
    [InlineData("91330100799655058B")]
    public void Published_codes_pass_the_check(string code)
    {
        Assert.True(UnifiedSocialCreditCode.IsValid(code));
        Assert.Equal(code[17], UnifiedSocialCreditCode.CheckCharacter(code.AsSpan(0, 17)));
    }

    [Fact]
    public void Changing_any_one_character_of_a_code_fails_the_check()
    {
        const string code = "9144030071526726XG";
        for (var position = 0; position < code.Length; position++)
            foreach (var replacement in UnifiedSocialCreditCode.Alphabet.Where(c => c != code[position]))
            {
                var changed = string.Concat(code.AsSpan(0, position), replacement.ToString(), code.AsSpan(position + 1));
                Assert.False(UnifiedSocialCreditCode.IsValid(changed), changed);
            }
    }

    [Theory]
    [InlineData("9144030071526726X")]
    [InlineData("9144030071526726XGG")]
    [InlineData("9144030O71526726XG")]
    [InlineData("914403007152672SXG")]
    [InlineData("9144030071526726xg")]
    [InlineData("")]
    [InlineData(null)]
    public void Wrong_length_or_characters_outside_the_alphabet_are_refused(string? code) =>
        Assert.False(UnifiedSocialCreditCode.IsValid(code));

    [Theory]
    [InlineData('I')]
    [InlineData('O')]
    [InlineData('S')]
    [InlineData('V')]
    [InlineData('Z')]
    public void The_alphabet_leaves_out_letters_that_look_like_digits(char letter) =>
        Assert.DoesNotContain(letter, UnifiedSocialCreditCode.Alphabet);

    [Theory]
    [InlineData("71526726", 'X')]
    [InlineData("79965505", '8')]
    [InlineData("M000100Y", '4')]
    public void Organisation_codes_end_in_their_GB_11714_check_character(string body, char check) =>
        Assert.Equal(check, UnifiedSocialCreditCode.OrganisationCheckCharacter(body));

    [Fact]
    public void A_created_code_carries_its_parts_and_both_check_characters()
    {
        var code = UnifiedSocialCreditCode.Create("92", "440305", "MA5FWK3T");

        Assert.StartsWith("92440305MA5FWK3T", code, StringComparison.Ordinal);
        Assert.Equal(UnifiedSocialCreditCode.OrganisationCheckCharacter("MA5FWK3T"), code[16]);
        Assert.True(UnifiedSocialCreditCode.IsValid(code));
    }
}
