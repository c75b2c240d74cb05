Console.WriteLine("The comparison lands with the GAN, diffusion and training issues.");
return 0;
