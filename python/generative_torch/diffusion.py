"""The library's denoisers as torch.nn.Modules with the same parameter names (src/Generative/Diffusion/MlpDenoiser.cs,
UNetDenoiser.cs, Nn/SinusoidalTimestepEmbedding.cs): a checkpoint's ``denoiser.*`` / ``ema.*`` tensors load into them
with ``load_state_dict(strict=True)``, and the same weights give the same outputs.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F


class SinusoidalTimestepEmbedding(nn.Module):
    """[cos(t·f_i), sin(t·f_i)] with f_i = exp(−ln(max_period)·i/half), i < half = dim/2, in float32."""

    def __init__(self, dim, max_period=10_000.0):
        super().__init__()
        if dim < 2 or dim % 2:
            raise ValueError(f"The embedding dimension must be an even number of at least 2; got {dim}.")
        self.dim = dim
        self.log_max_period = math.log(max_period)

    def forward(self, t):
        half = self.dim // 2
        freqs = (torch.arange(half, dtype=torch.float32, device=t.device) * (-self.log_max_period / half)).exp()
        angles = t.float().unsqueeze(1) * freqs.unsqueeze(0)
        return torch.cat([angles.cos(), angles.sin()], 1)


def _conditioning(module, x, t, labels):
    emb = module.time_embedding(t)
    emb = module.time_mlp(emb if emb.dtype == x.dtype else emb.to(x.dtype))
    if module.class_embedding is None:
        return emb
    if labels is None:  # the null class: unconditional prediction
        labels = torch.full((x.shape[0],), module.class_count, dtype=torch.int64, device=x.device)
    return emb + module.class_embedding(labels.to(x.device))


def _group_norm(groups, channels):
    return nn.GroupNorm(groups, channels)  # weight 1, bias 0, ε 1e-5, as Layers.GroupNorm


class MlpResidualBlock(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, width)
        self.emb_proj = nn.Linear(width, width)
        self.fc2 = nn.Linear(width, width)

    def forward(self, h, emb):
        z = self.fc1(F.silu(self.norm(h))) + self.emb_proj(F.silu(emb))
        return h + self.fc2(F.silu(z))


class MlpDenoiser(nn.Module):
    """MlpDenoiser: input → residual blocks conditioned on the time (and class) embedding → LayerNorm, SiLU, output."""

    def __init__(self, features, width=256, depth=3, time_embedding_dimension=128, class_count=0, learn_variance=False):
        super().__init__()
        self.features, self.class_count = features, class_count
        self.input = nn.Linear(features, width)
        self.time_embedding = SinusoidalTimestepEmbedding(time_embedding_dimension)
        self.time_mlp = nn.Sequential(nn.Linear(time_embedding_dimension, width), nn.SiLU(), nn.Linear(width, width))
        self.class_embedding = nn.Embedding(class_count + 1, width) if class_count > 0 else None
        self.blocks = nn.ModuleList([MlpResidualBlock(width) for _ in range(depth)])
        self.output_norm = nn.LayerNorm(width)
        self.output = nn.Linear(width, 2 * features if learn_variance else features)
        nn.init.zeros_(self.output.weight)
        nn.init.zeros_(self.output.bias)

    @property
    def sample_shape(self):
        return (self.features,)

    def forward(self, x, t, labels=None):
        emb = _conditioning(self, x, t, labels)
        h = self.input(x)
        for block in self.blocks:
            h = block(h, emb)
        return self.output(F.silu(self.output_norm(h)))


class ResidualBlock(nn.Module):
    def __init__(self, in_ch, out_ch, emb_dim, groups):
        super().__init__()
        self.norm1 = _group_norm(groups, in_ch)
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.emb_proj = nn.Linear(emb_dim, out_ch)
        self.norm2 = _group_norm(groups, out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1)
        self.skip = nn.Conv2d(in_ch, out_ch, 1) if in_ch != out_ch else None

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb_proj(F.silu(emb)).unsqueeze(-1).unsqueeze(-1)
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.skip is None else self.skip(x)) + h


class SelfAttention2d(nn.Module):
    def __init__(self, channels, groups):
        super().__init__()
        self.norm = _group_norm(groups, channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.proj = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, c, h * w).unbind(1)
        weights = (q.transpose(1, 2).matmul(k) * (1.0 / math.sqrt(c))).softmax(-1)
        attended = v.matmul(weights.transpose(1, 2)).reshape(b, c, h, w)
        return x + self.proj(attended)


class UNetDenoiser(nn.Module):
    """UNetDenoiser: conv_in, residual levels with stride-2 downsampling, mid blocks (with self-attention), residual
    levels with nearest upsampling and skip concatenation, GroupNorm, SiLU, conv_out."""

    def __init__(self, channels, height, width, base_channels=32, channel_multipliers=(1, 2), residual_blocks_per_level=1,
                 attention_at_lowest_resolution=True, group_count=8, class_count=0, learn_variance=False):
        super().__init__()
        self.channels, self.height, self.width, self.class_count = channels, height, width, class_count
        levels = len(channel_multipliers)
        factor = 1 << (levels - 1)
        if height % factor or width % factor:
            raise ValueError(f"The height and width must be multiples of {factor} (2^(levels - 1)); got {height}x{width}.")
        self.levels, self.blocks_per_level = levels, residual_blocks_per_level
        g, base = group_count, base_channels
        emb_dim = 4 * base
        self.time_embedding = SinusoidalTimestepEmbedding(base if base % 2 == 0 else base + 1)
        self.time_mlp = nn.Sequential(nn.Linear(self.time_embedding.dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.class_embedding = nn.Embedding(class_count + 1, emb_dim) if class_count > 0 else None
        self.conv_in = nn.Conv2d(channels, base, 3, padding=1)
        self.down_blocks, self.downsamplers = nn.ModuleList(), nn.ModuleList()
        skips, ch = [base], base
        for level in range(levels):
            out = base * channel_multipliers[level]
            for _ in range(residual_blocks_per_level):
                self.down_blocks.append(ResidualBlock(ch, out, emb_dim, g))
                ch = out
                skips.append(ch)
            if level < levels - 1:
                self.downsamplers.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
                skips.append(ch)
        self.mid_block1 = ResidualBlock(ch, ch, emb_dim, g)
        self.mid_attention = SelfAttention2d(ch, g) if attention_at_lowest_resolution else None
        self.mid_block2 = ResidualBlock(ch, ch, emb_dim, g)
        self.up_blocks, self.upsamplers = nn.ModuleList(), nn.ModuleList()
        for level in reversed(range(levels)):
            out = base * channel_multipliers[level]
            for _ in range(residual_blocks_per_level + 1):
                self.up_blocks.append(ResidualBlock(ch + skips.pop(), out, emb_dim, g))
                ch = out
            if level > 0:
                self.upsamplers.append(nn.Conv2d(ch, ch, 3, padding=1))
        self.norm_out = _group_norm(g, ch)
        self.conv_out = nn.Conv2d(ch, 2 * channels if learn_variance else channels, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    @property
    def sample_shape(self):
        return (self.channels, self.height, self.width)

    def forward(self, x, t, labels=None):
        emb = _conditioning(self, x, t, labels)
        h = self.conv_in(x)
        skips, block = [h], 0
        for level in range(self.levels):
            for _ in range(self.blocks_per_level):
                h = self.down_blocks[block](h, emb)
                block += 1
                skips.append(h)
            if level < self.levels - 1:
                h = self.downsamplers[level](h)
                skips.append(h)
        h = self.mid_block1(h, emb)
        if self.mid_attention is not None:
            h = self.mid_attention(h)
        h = self.mid_block2(h, emb)
        block, up = 0, 0
        for level in reversed(range(self.levels)):
            for _ in range(self.blocks_per_level + 1):
                h = self.up_blocks[block](torch.cat([h, skips.pop()], 1), emb)
                block += 1
            if level > 0:
                h = self.upsamplers[up](F.interpolate(h, scale_factor=2.0, mode="nearest"))
                up += 1
        return self.conv_out(F.silu(self.norm_out(h)))


_MLP_KEYS = {"width": "width", "depth": "depth", "time_embedding_dimension": "time_embedding_dimension",
             "class_count": "class_count", "learn_variance": "learn_variance"}
_UNET_KEYS = {"base_channels": "base_channels", "channel_multipliers": "channel_multipliers",
              "residual_blocks_per_level": "residual_blocks_per_level",
              "attention_at_lowest_resolution": "attention_at_lowest_resolution", "group_count": "group_count",
              "class_count": "class_count", "learn_variance": "learn_variance"}


def build_denoiser(network):
    """Builds the denoiser a checkpoint's ``options.network`` describes (``type`` ``mlp`` or ``unet``)."""
    kind = network.get("type")
    options = network.get("options") or {}
    if kind == "mlp":
        return MlpDenoiser(network["features"], **{v: options[k] for k, v in _MLP_KEYS.items() if k in options})
    if kind == "unet":
        return UNetDenoiser(network["channels"], network["height"], network["width"],
                            **{v: options[k] for k, v in _UNET_KEYS.items() if k in options})
    raise ValueError(f"options.network.type is '{kind}'; this package builds 'mlp' and 'unet' (a plugin's network needs "
                     "its own PyTorch module).")


def describe_denoiser(module):
    """The ``options.network`` object of a denoiser built here, as the library writes it."""
    if isinstance(module, MlpDenoiser):
        return {"type": "mlp", "features": module.features,
                "options": {"width": module.input.out_features, "depth": len(module.blocks),
                            "time_embedding_dimension": module.time_embedding.dim, "class_count": module.class_count,
                            "learn_variance": module.output.out_features == 2 * module.features}}
    if isinstance(module, UNetDenoiser):
        raise NotImplementedError("Describe a UNet by keeping the options.network object it was built from.")
    raise TypeError(f"Not a denoiser of this package: {type(module).__name__}.")
