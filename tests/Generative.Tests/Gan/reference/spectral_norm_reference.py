"""Reference numbers for SpectralNormTests (PyTorch 1.13's torch.nn.utils.spectral_norm).

Run with /usr/bin/python3 (Debian's torch 1.13). Weights are sin(1..n) reshaped, so the C# test can rebuild them.
"""
import torch
from torch.nn.utils import spectral_norm


def fixed(shape):
    n = 1
    for s in shape:
        n *= s
    return torch.sin(torch.arange(1, n + 1, dtype=torch.float32)).reshape(shape)


def show(name, t):
    print(f"{name} = [{', '.join(f'{v:.9g}' for v in t.detach().flatten().tolist())}]")


# 1. Linear(4 -> 3): initial u, v from torch.manual_seed(7), names in the state dict.
lin = torch.nn.Linear(4, 3)
with torch.no_grad():
    lin.weight.copy_(fixed((3, 4)))
    lin.bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
torch.manual_seed(7)
sn = spectral_norm(lin)
print("state_dict keys =", list(sn.state_dict().keys()))
show("init_u", sn.weight_u)
show("init_v", sn.weight_v)

# 2. From a fixed u: one training forward pass (one power iteration), then two more.
with torch.no_grad():
    sn.weight_u.copy_(torch.tensor([0.6, 0.0, 0.8]))
x = fixed((2, 4))
sn.train()
y = sn(x)
show("iter1_u", sn.weight_u)
show("iter1_v", sn.weight_v)
show("iter1_weight", sn.weight)
show("iter1_y", y)
sn(x)
sn(x)
show("iter3_u", sn.weight_u)
show("iter3_v", sn.weight_v)
show("iter3_weight", sn.weight)

# 3. Evaluation mode: no update of u, v.
sn.eval()
y_eval = sn(x)
show("eval_u", sn.weight_u)
show("eval_y", y_eval)

# 4. Conv2d(2 -> 3, 3x3, padding 1), u fixed, one training forward pass.
conv = torch.nn.Conv2d(2, 3, 3, padding=1)
with torch.no_grad():
    conv.weight.copy_(fixed((3, 2, 3, 3)))
    conv.bias.zero_()
torch.manual_seed(11)
snc = spectral_norm(conv)
with torch.no_grad():
    snc.weight_u.copy_(torch.tensor([0.6, 0.0, 0.8]))
img = fixed((1, 2, 4, 4))
out = snc(img)
show("conv_u", snc.weight_u)
show("conv_v", snc.weight_v)
show("conv_out", out)
print("conv state_dict keys =", list(snc.state_dict().keys()))
