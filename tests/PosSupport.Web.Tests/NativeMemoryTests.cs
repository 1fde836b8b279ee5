using PosSupport.Web.Hosting;

namespace PosSupport.Web.Tests;

public sealed class NativeMemoryTests
{
    [Fact]
    public void On_linux_with_glibc_the_host_caps_malloc_arenas_unless_the_environment_already_does()
    {
        Assert.True(OperatingSystem.IsLinux(), "The product's machines and CI run Linux.");
        var expected = Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 }
            ? NativeMemory.Outcome.SetByEnvironment
            : NativeMemory.Outcome.Capped;

        Assert.Equal(expected, NativeMemory.LimitMallocArenas());
    }
}
