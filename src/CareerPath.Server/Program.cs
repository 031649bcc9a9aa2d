using CareerPath.Server.Hosting;

return await CommandLine.RunAsync(args);
