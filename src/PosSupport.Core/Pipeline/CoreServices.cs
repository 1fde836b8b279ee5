using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PosSupport.Core.Cases;
using PosSupport.Core.Data;
using PosSupport.Core.FollowUps;
using PosSupport.Core.Negotiation;
using PosSupport.Core.Workflows;

namespace PosSupport.Core.Pipeline;

public static class CoreServices
{
    /// <summary>
    /// Registers the case store: database, MediatR 5.1.0 by hand (it has no DI package), the pipeline
    /// (metrics, logging, then validation, then the transaction: the first registered behavior is the outermost), every
    /// handler and validator of this assembly, and the services slices share.
    /// </summary>
    public static IServiceCollection AddPosSupportCore(this IServiceCollection services, PosSupportOptions options, WorkflowCatalog catalog,
        BusinessCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        TypeHandlers.Register();

        services.AddSingleton(options);
        services.AddSingleton<CaseDatabase>();
        services.AddSingleton(catalog);
        services.AddSingleton(new WorkflowEngine(catalog));
        services.TryAddSingleton(TimeProvider.System);
        // Without a calendar (tools, tests that don't care) business time is Mon–Fri 09:00–18:00 Beijing time, no holidays.
        services.AddSingleton(calendar ?? new BusinessCalendar([]));
        // Hosts with a clock (the web host's Hangfire) register theirs first; others leave rows for it to sweep.
        services.TryAddSingleton<IFollowUpScheduler, NoFollowUpScheduler>();

        services.AddMetrics();
        services.TryAddSingleton<Metrics.PosSupportMetrics>();

        services.AddScoped<ServiceFactory>(provider => type => provider.GetService(type)!);
        services.AddScoped<IMediator, Mediator>();
        // In this order, outermost first. Singletons where they hold nothing per request (the metrics, the logger, the
        // validators, which are singletons themselves): each is built once per request type instead of once per request.
        // The transaction behavior holds the request's session.
        services.AddSingleton(typeof(IPipelineBehavior<,>), typeof(Metrics.MetricsBehavior<,>));
        services.AddSingleton(typeof(IPipelineBehavior<,>), typeof(LoggingBehavior<,>));
        services.AddSingleton(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(TransactionBehavior<,>));

        foreach (var type in typeof(CoreServices).Assembly.GetTypes().Where(t => t is { IsAbstract: false, IsGenericTypeDefinition: false }))
            foreach (var contract in type.GetInterfaces().Where(i => i.IsGenericType))
            {
                var definition = contract.GetGenericTypeDefinition();
                if (definition == typeof(IRequestHandler<,>) || definition == typeof(INotificationHandler<>))
                    services.AddScoped(contract, type);
                // Singletons: building a validator compiles its rules' expressions, which was a tenth of a command's CPU in
                // the pipeline benchmark when done per request. They hold no request state (messages are chosen when a rule
                // fails, in the request's language) and take no services.
                else if (definition == typeof(IValidator<>))
                    services.AddSingleton(contract, type);
            }

        services.AddScoped<CaseSession>();
        services.AddScoped<UnitOfWork>();
        services.AddScoped<CaseStore>();
        services.AddScoped<CaseWorkflow>();
        services.AddScoped<OfferBook>();
        services.AddScoped<MessageRenderer>();
        services.AddScoped<Assignment>();
        services.AddScoped<FollowUpArming>();
        services.AddSingleton<FollowUpJobRunner>();
        services.AddSingleton<QueueCountsCache>();
        services.AddSingleton<Webhooks.SilentClients>();
        services.AddSingleton<Evidence.EvidenceFiles>();
        return services;
    }
}
