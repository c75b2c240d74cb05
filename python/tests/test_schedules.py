"""Noise schedules against their formulas (float64 references), and the checkpoint helpers."""
import math
import os
import sys
import tempfile
import unittest

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import generative_torch as gt  # noqa: E402
from generative_torch import schedules, training  # noqa: E402


class ScheduleTests(unittest.TestCase):
    def test_linear_alpha_bar_is_the_product_of_one_minus_beta(self):
        s = gt.NoiseSchedule({"train_timesteps": 1000, "beta_start": 1e-4, "beta_end": 0.02})
        betas = [1e-4 + (0.02 - 1e-4) * i / 999 for i in range(1000)]
        expected = 1.0
        for i, b in enumerate(betas):
            expected *= 1 - b
            if i in (0, 499, 999):
                self.assertAlmostEqual(s.alphas_cumprod[i].item(), expected, delta=2e-6 * max(expected, 1e-3))
        self.assertAlmostEqual(s.alphas_cumprod[0].item(), 0.9999, places=7)

    def test_scaled_linear_is_the_square_of_a_linear_ramp_of_square_roots(self):
        b = schedules.betas({"train_timesteps": 11, "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear"})
        for i in range(11):
            r = math.sqrt(0.00085) + (math.sqrt(0.012) - math.sqrt(0.00085)) * i / 10
            self.assertAlmostEqual(b[i].item(), r * r, delta=1e-8)

    def test_cosine_follows_the_improved_ddpm_alpha_bar(self):
        for name in ("squared_cos_cap_v2", "squaredcos_cap_v2"):
            s = gt.NoiseSchedule({"train_timesteps": 50, "beta_schedule": name})
            f = lambda t: math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
            self.assertAlmostEqual(s.alphas_cumprod[9].item(), f(10 / 50) / f(0), delta=1e-6)
            self.assertLessEqual(s.betas.max().item(), 0.999 + 1e-7)

    def test_sigmoid_ramps_between_start_and_end(self):
        b = schedules.betas({"train_timesteps": 5, "beta_start": 0.1, "beta_end": 0.3, "beta_schedule": "sigmoid"})
        for i, x in enumerate([-6, -3, 0, 3, 6]):
            self.assertAlmostEqual(b[i].item(), 0.1 + 0.2 / (1 + math.exp(-x)), delta=1e-7)

    def test_zero_terminal_snr_rescaling_ends_at_zero_and_keeps_the_first_value(self):
        plain = gt.NoiseSchedule({"train_timesteps": 100})
        s = gt.NoiseSchedule({"train_timesteps": 100, "rescale_betas_zero_snr": True})
        self.assertEqual(s.alphas_cumprod[-1].item(), 0.0)
        self.assertAlmostEqual(s.alphas_cumprod[0].item(), plain.alphas_cumprod[0].item(), delta=1e-6)

    def test_add_noise_and_velocity_follow_their_definitions(self):
        s = gt.NoiseSchedule()
        x0, eps, t = torch.randn(4, 3), torch.randn(4, 3), torch.tensor([0, 10, 500, 999])
        ab = s.alphas_cumprod[t].unsqueeze(1)
        self.assertTrue(torch.allclose(s.add_noise(x0, eps, t), ab.sqrt() * x0 + (1 - ab).sqrt() * eps, atol=1e-6))
        self.assertTrue(torch.allclose(s.velocity(x0, eps, t), ab.sqrt() * eps - (1 - ab).sqrt() * x0, atol=1e-6))

    def test_an_unknown_schedule_is_named_in_the_error(self):
        with self.assertRaisesRegex(ValueError, "cubic"):
            schedules.betas({"beta_schedule": "cubic"})


class TrainingRuleTests(unittest.TestCase):
    def test_ema_warm_up_is_min_decay_one_plus_k_over_ten_plus_k(self):
        net = torch.nn.Linear(1, 1, bias=False)
        with torch.no_grad():
            net.weight.fill_(0.0)
        ema = training.ExponentialMovingAverage(net, decay=0.999)
        shadow = 0.0
        for k in range(3):
            with torch.no_grad():
                net.weight.fill_(float(k + 1))
            d = min(0.999, (1 + k) / (10 + k))
            shadow = d * shadow + (1 - d) * (k + 1)
            ema.update()
            self.assertAlmostEqual(ema.shadow.weight.item(), shadow, places=6)

    def test_standardization_uses_the_population_std_and_round_trips(self):
        x = torch.tensor([[1.0, 5.0], [3.0, 5.0]])
        s = gt.Standardization.fit(x)
        self.assertEqual(s.mean, [2.0, 5.0])
        self.assertEqual(s.std, [1.0, 1.0])  # population std 1; a constant feature gets 1
        self.assertTrue(torch.allclose(s.unstandardize(s.standardize(x)), x))


class CheckpointTests(unittest.TestCase):
    def test_save_then_load_checks_the_hash_and_rebuilds_the_network(self):
        with tempfile.TemporaryDirectory() as d:
            network = {"type": "mlp", "features": 2, "options": {"width": 8, "depth": 1, "time_embedding_dimension": 4}}
            net = gt.build_denoiser(network)
            gt.save(os.path.join(d, "m"), "diffusion", {"denoiser": net}, {"network": network, "schedule": {}})
            loaded = gt.load(os.path.join(d, "m")).module("denoiser")
            for (name, a), (_, b) in zip(net.state_dict().items(), loaded.state_dict().items()):
                self.assertTrue(torch.equal(a, b), name)
            with open(os.path.join(d, "m", "model.safetensors"), "r+b") as f:
                f.seek(-1, 2)
                f.write(b"\x01")
            with self.assertRaisesRegex(ValueError, "SHA-256"):
                gt.load(os.path.join(d, "m"))


if __name__ == "__main__":
    unittest.main()
