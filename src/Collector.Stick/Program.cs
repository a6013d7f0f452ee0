using Collector.Stick;

return await CollectApp.RunAsync(args, StickContext.FromProcess()).ConfigureAwait(false);
