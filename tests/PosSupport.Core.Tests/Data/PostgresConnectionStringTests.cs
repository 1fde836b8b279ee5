using PosSupport.Core.Data;

namespace PosSupport.Core.Tests.Data;

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void Statements_are_prepared_and_kept_across_requests_unless_the_connection_string_says_otherwise()
    {
        var added = new Npgsql.NpgsqlConnectionStringBuilder(CaseDatabase.WithStatementReuse("Host=db;Database=cases;Username=app"));
        Assert.Equal(200, added.MaxAutoPrepare);
        Assert.Equal(2, added.AutoPrepareMinUsages);
        Assert.True(added.NoResetOnClose);
        Assert.Equal("db", added.Host);

        var kept = new Npgsql.NpgsqlConnectionStringBuilder(CaseDatabase.WithStatementReuse("Host=db;Max Auto Prepare=0;NoResetOnClose=false;Auto Prepare Min Usages=5"));
        Assert.Equal(0, kept.MaxAutoPrepare);
        Assert.Equal(5, kept.AutoPrepareMinUsages);
        Assert.False(kept.NoResetOnClose);
    }
}
