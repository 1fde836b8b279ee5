using System.Text.Encodings.Web;
using System.Text.Unicode;
using PosSupport.Core.Pipeline;
using PosSupport.Web.Api;
using PosSupport.Web.Cli;
using PosSupport.Web.Dashboard;
using PosSupport.Web.FollowUps;
using PosSupport.Web.Health;
using PosSupport.Web.Hosting;
using PosSupport.Web.Operations;
using PosSupport.Web.Workflows;

if (CommandLine.IsCommand(args))
{
    // Verb arguments are not host configuration; the rest (appsettings, environment) is read as the host reads it.
    var configuration = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory }).Configuration;
    return await CommandLine.RunAsync(args, configuration, Console.Out, Console.Error);
}

// Before the host starts its threads: glibc's per-thread malloc arenas were where resident memory crept up under load.
var arenas = NativeMemory.LimitMallocArenas();

// Settings ship beside the binaries; the working directory stays the user's, so relative paths mean what they typed.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
ListenAddress.UseDefaultUnlessConfigured(builder);

var workflowsDirectory = WorkflowsDirectory.From(builder.Configuration);
var catalog = WorkflowStartup.Load(workflowsDirectory, Console.Error);
if (catalog is null) return CommandLine.Failed;
var calendar = CalendarStartup.Load(builder.Configuration, workflowsDirectory, Console.Error);
if (calendar is null) return CommandLine.Failed;
var options = PosSupportSettings.Read(builder.Configuration, Console.Error);
if (options is null) return CommandLine.Failed;

builder.Services.AddPosSupportCore(options, catalog, calendar);
builder.Services.AddFollowUpClock(options, builder.Configuration);
builder.Services.AddProblemDetails();
builder.Services.AddDashboard();
builder.Services.AddPosSupportApi(builder.Configuration);
builder.Services.AddOperations(options, builder.Configuration);
// Titles are Chinese as often as English: keep them readable in responses instead of \u-escaped.
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All));

var app = builder.Build();
NativeMemory.Log(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(NativeMemory)), arenas);
// Migrate, publish the workflows and (first start, empty SQLite) seed the demo data before listening.
if (!await CaseStoreStartup.PrepareAsync(app.Services, Console.Error, app.Lifetime.ApplicationStopping)) return CommandLine.Failed;

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapHealth();
app.MapMetrics();
app.MapWorkflows();
app.MapDashboard();
app.MapFollowUpClock();
app.MapPosSupportApi();
await app.RunAsync();
return CommandLine.Ok;

public partial class Program;
