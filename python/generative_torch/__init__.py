"""generative_torch: the Generative library's networks, schedules and checkpoints in PyTorch.

Same parameter names, same forward pass, same checkpoint directories: a model moves between the .NET library and
PyTorch (for distributed training with torchrun/DDP, see ``train_ddp.py``) without conversion.
"""
from . import checkpoint, diffusion, gan, safetensors, schedules, training
from .checkpoint import Checkpoint, Standardization, load, save
from .diffusion import MlpDenoiser, SinusoidalTimestepEmbedding, UNetDenoiser, build_denoiser
from .gan import ConvCritic, ConvGenerator, MlpCritic, MlpGenerator, build_critic, build_generator
from .schedules import NoiseSchedule

__all__ = ["checkpoint", "diffusion", "gan", "safetensors", "schedules", "training", "Checkpoint", "Standardization",
           "load", "save", "MlpDenoiser", "SinusoidalTimestepEmbedding", "UNetDenoiser", "build_denoiser", "ConvCritic",
           "ConvGenerator", "MlpCritic", "MlpGenerator", "build_critic", "build_generator", "NoiseSchedule"]
__version__ = "0.1.0"
