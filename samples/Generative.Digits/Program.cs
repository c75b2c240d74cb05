using Generative.Samples.Digits;

// dotnet run -c Release --project samples/Generative.Digits -- [options]   (--help lists them)
// Defaults: 500 diffusion steps, 1000 GAN steps, DDPM sampler with 250 steps, PNGs in ./digits-output.
return DigitsCommand.Run(args, Console.Out, Console.Error);
