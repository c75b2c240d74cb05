"""The library's checkpoint directories: ``config.json`` (format ``generative-checkpoint`` version 1, family, modules,
options, data standardisation, the SHA-256 of each file) and ``model.safetensors`` (tensors named ``module.parameter``).

``load(dir)`` checks the hash and reads everything; ``Checkpoint.module(name)`` builds the network the options describe
and loads its tensors with ``load_state_dict(strict=True)``. ``save(dir, ...)`` writes both files (the hash computed
from the bytes written), which DiffusionModel.Load / GanModel.Load read.
"""
import datetime
import hashlib
import json
import os
import shutil

import torch

from . import diffusion, gan, safetensors

FORMAT, FORMAT_VERSION = "generative-checkpoint", 1
CONFIG, WEIGHTS = "config.json", "model.safetensors"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Standardization:
    """x_std = (x − mean)/std per feature (the first dimension of a sample), as DataStandardization."""

    def __init__(self, mean, std, feature_names=None):
        if len(mean) != len(std) or not mean:
            raise ValueError(f"mean has {len(mean)} features and std {len(std)}; they must agree and be at least 1.")
        if any(not (s > 0) for s in std):
            raise ValueError(f"Every std must be greater than 0; got {std}.")
        self.mean, self.std, self.feature_names = [float(m) for m in mean], [float(s) for s in std], feature_names

    @staticmethod
    def fit(data):
        """Mean and population std per feature of [N, F] data in float64; a zero std becomes 1."""
        x = data.detach().cpu().double()
        std = x.std(0, unbiased=False)
        std = torch.where((std > 0) & std.isfinite(), std, torch.ones_like(std))
        return Standardization(x.mean(0).tolist(), std.tolist())

    def _coefficients(self, x):
        shape = [1, len(self.mean)] + [1] * (x.dim() - 2)
        return (torch.tensor(self.mean, dtype=x.dtype, device=x.device).view(shape),
                torch.tensor(self.std, dtype=x.dtype, device=x.device).view(shape))

    def standardize(self, x):
        mean, std = self._coefficients(x)
        return (x - mean) / std

    def unstandardize(self, x):
        mean, std = self._coefficients(x)
        return x * std + mean

    def to_json(self):
        node = {"mean": self.mean, "std": self.std}
        if self.feature_names is not None:
            node["featureNames"] = list(self.feature_names)
        return node

    @staticmethod
    def from_json(node):
        return None if node is None else Standardization(node["mean"], node["std"], node.get("featureNames"))


class Checkpoint:
    """A checkpoint directory read into memory: ``config`` (dict), ``tensors`` ({name: tensor}), ``metadata``."""

    def __init__(self, directory, config, tensors, metadata):
        self.directory, self.config, self.tensors, self.metadata = directory, config, tensors, metadata

    @property
    def family(self):
        return self.config["family"]

    @property
    def options(self):
        return self.config.get("options") or {}

    @property
    def modules(self):
        return list(self.config["modules"])

    @property
    def standardization(self):
        return Standardization.from_json(self.config.get("dataStandardization"))

    def state_dict(self, module):
        prefix = module + "."
        return {k[len(prefix):]: v for k, v in self.tensors.items() if k.startswith(prefix)}

    def build(self, module):
        """A fresh (untrained) network of the kind that ``module`` is in this checkpoint."""
        if self.family == "diffusion" and module in ("denoiser", "ema"):
            return diffusion.build_denoiser(self.options["network"])
        if self.family == "gan" and module in ("generator", "generator_ema"):
            return gan.build_generator(self.options)
        if self.family == "gan" and module == "critic":
            if "critic" not in self.options:
                raise KeyError(f"'{self.directory}': options.critic does not describe the critic (GanModel.Save writes no critic).")
            return gan.build_critic(self.options["critic"])
        raise KeyError(f"'{self.directory}': this package cannot build module '{module}' of a '{self.family}' checkpoint.")

    def module(self, name):
        """The network ``name`` (``denoiser``, ``ema``, ``generator``, ``critic`` …) with its weights, strictly loaded."""
        if name not in self.modules:
            raise KeyError(f"'{self.directory}': modules are {self.modules}; '{name}' is not one of them.")
        net = self.build(name)
        net.load_state_dict(self.state_dict(name), strict=True)
        return net


def load(directory):
    """Reads a checkpoint directory; the weights file must match the SHA-256 in config.json."""
    with open(os.path.join(directory, CONFIG)) as f:
        config = json.load(f)
    if config.get("format") != FORMAT or config.get("formatVersion") != FORMAT_VERSION:
        raise ValueError(f"'{directory}/{CONFIG}' is not a {FORMAT} version {FORMAT_VERSION} config "
                         f"(format {config.get('format')!r}, version {config.get('formatVersion')!r}).")
    for file, expected in (config.get("files") or {}).items():
        actual = sha256(os.path.join(directory, file))
        if actual != expected:
            raise ValueError(f"'{directory}/{file}' has SHA-256 {actual}, but config.json records {expected}.")
    tensors, metadata = safetensors.load(os.path.join(directory, WEIGHTS))
    return Checkpoint(directory, config, tensors, metadata)


def save(directory, family, modules, options, standardization=None, step=0):
    """Writes ``modules`` ({name: nn.Module}) and a config.json with the weights' SHA-256; replaces ``directory``.

    The state of each module is saved under ``name.`` (parameters and buffers, e.g. BatchNorm statistics); the files are
    written to a sibling temporary directory first and moved into place.
    """
    tensors = {}
    for name, module in modules.items():
        for key, value in module.state_dict().items():
            tensors[f"{name}.{key}"] = value
    directory = os.path.abspath(directory)
    temp = directory + ".tmp-" + str(os.getpid())
    shutil.rmtree(temp, ignore_errors=True)
    os.makedirs(temp)
    safetensors.save(os.path.join(temp, WEIGHTS), tensors, {"generative.family": family})
    config = {"format": FORMAT, "formatVersion": FORMAT_VERSION, "family": family,
              "libraryVersion": "generative_torch", "step": int(step),
              "createdUtc": datetime.datetime.now(datetime.timezone.utc).isoformat(),
              "modules": list(modules), "options": options,
              "dataStandardization": None if standardization is None else standardization.to_json(),
              "files": {WEIGHTS: sha256(os.path.join(temp, WEIGHTS))}}
    with open(os.path.join(temp, CONFIG), "w") as f:
        json.dump(config, f, indent=2)
    if os.path.isdir(directory):
        shutil.rmtree(directory)
    os.makedirs(os.path.dirname(directory), exist_ok=True)
    os.replace(temp, directory)
    return directory


def save_tensors_with_config(directory, config, tensors):
    """Writes ``tensors`` and ``config`` (a dict read from a checkpoint, changed as needed) with the new SHA-256."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, WEIGHTS)
    safetensors.save(path, tensors, {"generative.family": config["family"]})
    config = dict(config)
    config["files"] = dict(config.get("files") or {})
    config["files"][WEIGHTS] = sha256(path)
    with open(os.path.join(directory, CONFIG), "w") as f:
        json.dump(config, f, indent=2)
    return config
