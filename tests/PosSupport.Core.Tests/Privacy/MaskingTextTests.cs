using PosSupport.Core.Privacy;

namespace PosSupport.Core.Tests.Privacy;

public sealed class MaskingTextTests
{
    [Theory]
    [InlineData("身份证号110101199003074514已核对", "身份证号110***********4514已核对")]
    [InlineData("ID 11010119900307451X", "ID 110***********451X")]
    [InlineData("我的卡号6222020200112233445", "我的卡号**** 3445")]
    [InlineData("card 4111111111111111.", "card **** 1111.")]
    public void Id_card_and_bank_card_numbers_in_free_text_are_masked(string text, string masked) => Assert.Equal(masked, Masking.Text(text));

    [Theory]
    [InlineData("扣了199元，订单号1234567890123")]
    [InlineData("SF1234567890123 快递单号")]
    [InlineData("amount 19900 fen on 2026-06-01")]
    public void Other_numbers_are_left_alone(string text) => Assert.Equal(text, Masking.Text(text));
}
