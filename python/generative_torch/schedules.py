"""The library's noise schedules (src/Generative/Diffusion/NoiseSchedule.cs), computed the same way in float32.

``options`` is the checkpoint's ``options.schedule`` object: ``train_timesteps``, ``beta_start``, ``beta_end``,
``beta_schedule`` (``linear``, ``scaled_linear``, ``squared_cos_cap_v2`` — also accepted as diffusers'
``squaredcos_cap_v2`` — or ``sigmoid``), ``trained_betas`` (a list or null) and ``rescale_betas_zero_snr``.
"""
import math

import torch

DEFAULTS = {"train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
            "trained_betas": None, "rescale_betas_zero_snr": False}

# The library writes snake_case enum names; diffusers spells the cosine schedule without the inner underscore.
_ALIASES = {"squaredcos_cap_v2": "squared_cos_cap_v2"}
DIFFUSERS_NAMES = {"linear": "linear", "scaled_linear": "scaled_linear", "squared_cos_cap_v2": "squaredcos_cap_v2",
                   "sigmoid": "sigmoid"}


def _cosine_alpha_bar(t):
    c = math.cos((t + 0.008) / 1.008 * math.pi / 2)
    return c * c


def betas(options=None):
    """The float32 betas of a schedule described by ``options`` (missing keys take the library's defaults)."""
    o = dict(DEFAULTS)
    o.update(options or {})
    n = int(o["train_timesteps"])
    if o.get("trained_betas"):
        b = torch.tensor(o["trained_betas"], dtype=torch.float64).float()
    else:
        kind = _ALIASES.get(o["beta_schedule"], o["beta_schedule"])
        if kind == "linear":
            b = torch.linspace(o["beta_start"], o["beta_end"], n, dtype=torch.float32)
        elif kind == "scaled_linear":
            b = torch.linspace(math.sqrt(o["beta_start"]), math.sqrt(o["beta_end"]), n, dtype=torch.float32).square()
        elif kind == "squared_cos_cap_v2":
            b = torch.tensor([min(1 - _cosine_alpha_bar((i + 1) / n) / _cosine_alpha_bar(i / n), 0.999) for i in range(n)],
                             dtype=torch.float64).float()
        elif kind == "sigmoid":
            b = torch.linspace(-6, 6, n, dtype=torch.float32).sigmoid() * (o["beta_end"] - o["beta_start"]) + o["beta_start"]
        else:
            raise ValueError(f"Unknown beta_schedule '{o['beta_schedule']}'; expected one of {sorted(DIFFUSERS_NAMES)}.")
    if o.get("rescale_betas_zero_snr"):
        b = _rescale_zero_terminal_snr(b)
    return b


def _rescale_zero_terminal_snr(b):
    sqrt_ab = (1.0 - b).cumprod(0).sqrt()
    first, last = sqrt_ab[0].clone(), sqrt_ab[-1].clone()
    sqrt_ab = (sqrt_ab - last) * (first / (first - last))
    ab = sqrt_ab.square()
    alphas = torch.cat([ab[:1], ab[1:] / ab[:-1]])
    return 1.0 - alphas


class NoiseSchedule:
    """ᾱ and the coefficients the training loss needs, as the library's NoiseSchedule computes them."""

    def __init__(self, options=None):
        o = dict(DEFAULTS)
        o.update(options or {})
        self.options = o
        self.betas = betas(o)
        self.alphas = 1.0 - self.betas
        self.alphas_cumprod = self.alphas.cumprod(0)
        self.train_timesteps = int(self.betas.shape[0])
        self.sqrt_alphas_cumprod = self.alphas_cumprod.sqrt()
        self.sqrt_one_minus_alphas_cumprod = (1.0 - self.alphas_cumprod).sqrt()
        self.snr = self.alphas_cumprod / (1.0 - self.alphas_cumprod)

    def _gather(self, table, t, like):
        return table.to(like.device, like.dtype).index_select(0, t.to(like.device)).view([-1] + [1] * (like.dim() - 1))

    def add_noise(self, x0, noise, t):
        """x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·ε."""
        return self._gather(self.sqrt_alphas_cumprod, t, x0) * x0 + self._gather(self.sqrt_one_minus_alphas_cumprod, t, x0) * noise

    def velocity(self, x0, noise, t):
        """v = √ᾱ_t·ε − √(1−ᾱ_t)·x0."""
        return self._gather(self.sqrt_alphas_cumprod, t, x0) * noise - self._gather(self.sqrt_one_minus_alphas_cumprod, t, x0) * x0

    def to_diffusers(self, prediction_type="epsilon"):
        """The diffusers DDIMScheduler config of this schedule (``scheduler_config.json``)."""
        o = self.options
        kind = _ALIASES.get(o["beta_schedule"], o["beta_schedule"])
        return {"_class_name": "DDIMScheduler", "num_train_timesteps": o["train_timesteps"], "beta_start": o["beta_start"],
                "beta_end": o["beta_end"], "beta_schedule": DIFFUSERS_NAMES[kind], "trained_betas": o["trained_betas"],
                "rescale_betas_zero_snr": o["rescale_betas_zero_snr"],
                "prediction_type": {"vprediction": "v_prediction"}.get(prediction_type, prediction_type),
                "clip_sample": False, "set_alpha_to_one": True, "steps_offset": 0, "timestep_spacing": "leading"}
