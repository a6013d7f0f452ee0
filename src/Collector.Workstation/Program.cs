using Collector.Workstation;

return await CollectorApp.RunAsync(args, WorkstationContext.FromProcess()).ConfigureAwait(false);
