"""The library's GAN networks as torch.nn.Modules with the same parameter names (src/Generative/Gan/MlpGenerator.cs,
ConvGenerator.cs, MlpCritic.cs, ConvCritic.cs).

Spectral normalisation is PyTorch's own ``torch.nn.utils.spectral_norm`` (one power iteration, ε 1e-12, applied to
every Linear and Conv2d of a critic, not to the class projection); its state names ``weight_orig``, ``weight_u``,
``weight_v`` (and ``bias``) are the names the library's SpectralNorm module saves, so no mapping is needed.

Generators are described by a GAN checkpoint's ``options`` (camelCase keys, as GanModel.Save writes them). The library
saves no critic in a GanModel directory; this package describes one under ``options.critic`` (its own convention,
ignored by the library): ``{"critic": "mlp" | "conv", "hiddenWidth", "hiddenLayers" | "imageSize", "channels",
"width", "leakyReluSlope", "classCount", "spectralNormalization", "powerIterations"}``.
"""
import math

import torch
from torch import nn
from torch.nn.utils import spectral_norm


class MlpGenerator(nn.Module):
    def __init__(self, sample_shape, latent_dimension=64, hidden_width=256, hidden_layers=3, class_count=0,
                 class_embedding_dimension=16):
        super().__init__()
        self.sample_shape = tuple(sample_shape)
        self.latent_dimension, self.class_count = latent_dimension, class_count
        self.hidden_width, self.hidden_layers, self.class_embedding_dimension = hidden_width, hidden_layers, class_embedding_dimension
        inputs = latent_dimension + (class_embedding_dimension if class_count > 0 else 0)
        layers = []
        for i in range(hidden_layers):
            layers += [nn.Linear(inputs if i == 0 else hidden_width, hidden_width), nn.ReLU()]
        layers.append(nn.Linear(hidden_width, math.prod(self.sample_shape)))
        self.body = nn.Sequential(*layers)
        self.class_embedding = nn.Embedding(class_count, class_embedding_dimension) if class_count > 0 else None

    def forward(self, z, labels=None):
        x = z if self.class_embedding is None else torch.cat([z, self.class_embedding(labels).to(z.dtype)], 1)
        return self.body(x).reshape((z.shape[0],) + self.sample_shape)


class ConvGenerator(nn.Module):
    def __init__(self, image_size=32, channels=1, latent_dimension=128, width=64, class_count=0,
                 class_embedding_dimension=32, tanh_output=True):
        super().__init__()
        if image_size not in (8, 16, 32, 64):
            raise ValueError(f"imageSize must be 8, 16, 32 or 64; got {image_size}.")
        self.image_size, self.channels, self.latent_dimension, self.width = image_size, channels, latent_dimension, width
        self.class_count, self.class_embedding_dimension, self.tanh_output = class_count, class_embedding_dimension, tanh_output
        n = int(math.log2(image_size)) - 2
        self.first_channels = width << n
        inputs = latent_dimension + (class_embedding_dimension if class_count > 0 else 0)
        self.project = nn.Linear(inputs, self.first_channels * 16)
        layers, ch = [nn.BatchNorm2d(self.first_channels), nn.ReLU()], self.first_channels
        for _ in range(n):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(ch // 2), nn.ReLU()]
            ch //= 2
        self.blocks = nn.Sequential(*layers)
        self.to_image = nn.Conv2d(ch, channels, 3, padding=1)
        self.class_embedding = nn.Embedding(class_count, class_embedding_dimension) if class_count > 0 else None

    @property
    def sample_shape(self):
        return (self.channels, self.image_size, self.image_size)

    def forward(self, z, labels=None):
        x = z if self.class_embedding is None else torch.cat([z, self.class_embedding(labels).to(z.dtype)], 1)
        h = self.project(x).view(z.shape[0], self.first_channels, 4, 4)
        image = self.to_image(self.blocks(h))
        return image.tanh() if self.tanh_output else image


def _apply_spectral_norm(module, power_iterations):
    for name, child in list(module.named_children()):
        if isinstance(child, (nn.Linear, nn.Conv2d)):
            setattr(module, name, spectral_norm(child, n_power_iterations=power_iterations, eps=1e-12))
        else:
            _apply_spectral_norm(child, power_iterations)


class _Critic(nn.Module):
    def _scores(self, phi, labels):
        result = self._modules["score"](phi).squeeze(1)
        if self.class_projection is not None:
            result = result + (self.class_projection(labels).to(phi.dtype) * phi).sum(1)
        return result


class MlpCritic(_Critic):
    def __init__(self, sample_shape, hidden_width=256, hidden_layers=3, leaky_relu_slope=0.2, class_count=0,
                 spectral_normalization=False, power_iterations=1):
        super().__init__()
        self.sample_shape = tuple(sample_shape)
        self.config = {"critic": "mlp", "sampleShape": list(self.sample_shape), "hiddenWidth": hidden_width,
                       "hiddenLayers": hidden_layers, "leakyReluSlope": leaky_relu_slope, "classCount": class_count,
                       "spectralNormalization": spectral_normalization, "powerIterations": power_iterations}
        layers = []
        for i in range(hidden_layers):
            layers += [nn.Linear(math.prod(self.sample_shape) if i == 0 else hidden_width, hidden_width), nn.LeakyReLU(leaky_relu_slope)]
        self.features = nn.Sequential(*layers)
        self.add_module("score", nn.Linear(hidden_width, 1))
        self.class_projection = nn.Embedding(class_count, hidden_width) if class_count > 0 else None
        if spectral_normalization:
            _apply_spectral_norm(self, power_iterations)

    def forward(self, x, labels=None):
        return self._scores(self.features(x.flatten(1)), labels)


class ConvCritic(_Critic):
    def __init__(self, image_size=32, channels=1, width=64, leaky_relu_slope=0.2, class_count=0,
                 spectral_normalization=False, power_iterations=1):
        super().__init__()
        if image_size not in (8, 16, 32, 64):
            raise ValueError(f"imageSize must be 8, 16, 32 or 64; got {image_size}.")
        self.sample_shape = (channels, image_size, image_size)
        self.config = {"critic": "conv", "imageSize": image_size, "channels": channels, "width": width,
                       "leakyReluSlope": leaky_relu_slope, "classCount": class_count,
                       "spectralNormalization": spectral_normalization, "powerIterations": power_iterations}
        layers, ch = [nn.Conv2d(channels, width, 3, padding=1), nn.LeakyReLU(leaky_relu_slope)], width
        for _ in range(int(math.log2(image_size)) - 2):
            layers += [nn.Conv2d(ch, ch * 2, 4, stride=2, padding=1), nn.LeakyReLU(leaky_relu_slope)]
            ch *= 2
        self.features = nn.Sequential(*layers)
        self.feature_count = ch * 16
        self.add_module("score", nn.Linear(self.feature_count, 1))
        self.class_projection = nn.Embedding(class_count, self.feature_count) if class_count > 0 else None
        if spectral_normalization:
            _apply_spectral_norm(self, power_iterations)

    def forward(self, x, labels=None):
        return self._scores(self.features(x).flatten(1), labels)


def build_generator(options):
    """Builds the generator a GAN checkpoint's ``options`` describe (``generator``: ``mlp`` or ``conv``)."""
    kind = options.get("generator")
    if kind == "mlp":
        return MlpGenerator(options["sampleShape"], options["latentDimension"], options["hiddenWidth"], options["hiddenLayers"],
                            options["classCount"], options["classEmbeddingDimension"])
    if kind == "conv":
        return ConvGenerator(options["imageSize"], options["channels"], options["latentDimension"], options["width"],
                             options["classCount"], options["classEmbeddingDimension"], options["tanhOutput"])
    raise ValueError(f"options.generator is '{kind}'; this package builds 'mlp' and 'conv'.")


def describe_generator(module):
    """The ``options`` object of a generator, as GanModel.Save writes it."""
    if isinstance(module, MlpGenerator):
        return {"generator": "mlp", "sampleShape": list(module.sample_shape), "latentDimension": module.latent_dimension,
                "hiddenWidth": module.hidden_width, "hiddenLayers": module.hidden_layers, "classCount": module.class_count,
                "classEmbeddingDimension": module.class_embedding_dimension}
    if isinstance(module, ConvGenerator):
        return {"generator": "conv", "imageSize": module.image_size, "channels": module.channels,
                "latentDimension": module.latent_dimension, "width": module.width, "classCount": module.class_count,
                "classEmbeddingDimension": module.class_embedding_dimension, "tanhOutput": module.tanh_output}
    raise TypeError(f"Not a generator of this package: {type(module).__name__}.")


def build_critic(description):
    """Builds the critic an ``options.critic`` object describes (see the module's docstring)."""
    d = description
    common = dict(leaky_relu_slope=d.get("leakyReluSlope", 0.2), class_count=d.get("classCount", 0),
                  spectral_normalization=d.get("spectralNormalization", False), power_iterations=d.get("powerIterations", 1))
    if d.get("critic") == "mlp":
        return MlpCritic(d["sampleShape"], d.get("hiddenWidth", 256), d.get("hiddenLayers", 3), **common)
    if d.get("critic") == "conv":
        return ConvCritic(d.get("imageSize", 32), d.get("channels", 1), d.get("width", 64), **common)
    raise ValueError(f"options.critic.critic is '{d.get('critic')}'; this package builds 'mlp' and 'conv'.")
