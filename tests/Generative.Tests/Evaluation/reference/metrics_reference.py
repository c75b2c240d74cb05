"""Independent float64 numpy references for Generative.Evaluation (run: /usr/bin/python3 metrics_reference.py).

The inputs are reproduced exactly in C# by ReferenceInputs.cs (splitmix64 uniforms, Box-Muller normals), so the
numbers printed here are pasted into MetricsReferenceTests.cs. No scipy: the matrix square root's trace uses the
eigenvalues of the NON-symmetric product S1 @ S2 (numpy.linalg.eigvals), a different route from the library's
symmetric eigendecomposition; k-NN uses brute-force full distance matrices (the library works in blocks).
"""
import math
import numpy as np

MASK = (1 << 64) - 1


def uniforms(seed, count):
    state = seed & MASK
    out = np.empty(count)
    for i in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z = z ^ (z >> 31)
        out[i] = (z >> 11) * 2.0 ** -53
    return out


def normals(seed, rows, cols):
    u = uniforms(seed, 2 * rows * cols)
    u1, u2 = u[0::2], u[1::2]
    z = np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * math.pi * u2)
    return z.reshape(rows, cols)


def mixing(seed, d_in, d_out):
    return uniforms(seed, d_in * d_out).reshape(d_in, d_out) - 0.5


def frechet(x, y):
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    eig = np.linalg.eigvals(s1 @ s2)
    tr_sqrt = np.sqrt(np.clip(eig.real, 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr_sqrt)


def mmd_unbiased(x, y):
    d = x.shape[1]
    k = lambda a, b: (a @ b.T / d + 1) ** 3
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    n, m = len(x), len(y)
    return float((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1)) - 2 * kxy.sum() / (n * m))


def dist(a, b):
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))


def kth_radius(x, k):
    return np.sort(dist(x, x), axis=1)[:, k]  # index 0 is the point itself


def precision_recall(real, fake, k):
    rr, rf = kth_radius(real, k), kth_radius(fake, k)
    d = dist(real, fake)  # [N_real, N_fake]
    precision = (d <= rr[:, None]).any(0).mean()
    recall = (d <= rf[None, :]).any(1).mean()
    return float(precision), float(recall)


def density_coverage(real, fake, k):
    rr = kth_radius(real, k)
    d = dist(real, fake)
    density = (d < rr[:, None]).sum(0).mean() / k
    coverage = (d.min(1) < rr).mean()
    return float(density), float(coverage)


def grid_centres():
    return np.array([[-4 + 2 * i, -4 + 2 * j] for i in range(5) for j in range(5)], dtype=float)


def mode_coverage(samples, centres, sigma, threshold=3.0):
    d = dist(samples, centres) / sigma
    nearest, idx = d.min(1), d.argmin(1)
    good = nearest < threshold
    counts = np.bincount(idx[good], minlength=len(centres))
    q = counts / counts.sum()
    kl = float(np.sum(q[q > 0] * np.log(len(centres) * q[q > 0])))
    return int((counts > 0).sum()), float(good.mean()), kl, counts


def w1(a, b):
    # The same construction as scipy.stats.wasserstein_distance: integrate |F - G| over the merged sorted values.
    a, b = np.sort(a), np.sort(b)
    allv = np.sort(np.concatenate([a, b]))
    deltas = np.diff(allv)
    fa = np.searchsorted(a, allv[:-1], side="right") / len(a)
    fb = np.searchsorted(b, allv[:-1], side="right") / len(b)
    return float(np.sum(np.abs(fa - fb) * deltas))


np.set_printoptions(precision=17)
print("probe normals(1)[0,:3] =", repr(normals(1, 300, 8)[0, :3].tolist()))

x = normals(1, 300, 8)
y = normals(2, 250, 8) @ (np.eye(8) + mixing(3, 8, 8)) + 0.5
print("FD full-rank =", repr(frechet(x, y)))

xs = normals(4, 100, 5) @ mixing(5, 5, 12)
ys = normals(6, 120, 5) @ mixing(7, 5, 12) + 0.1
print("FD rank-5 in 12-d =", repr(frechet(xs, ys)))

print("MMD2 unbiased =", repr(mmd_unbiased(x, y)))

real = normals(8, 400, 4)
fake = normals(9, 350, 4) * 1.3 + 0.2
print("precision, recall k=3 =", repr(precision_recall(real, fake, 3)))
print("density, coverage k=5 =", repr(density_coverage(real, fake, 5)))

centres = grid_centres()
u = uniforms(10, 1000)
modes = np.floor(u * 20).astype(int)
pts = centres[modes] + 0.05 * 2.0 * normals(11, 1000, 2)
captured, hq, kl, counts = mode_coverage(pts, centres, 0.05)
print("mode coverage: captured, hq, kl =", captured, repr(hq), repr(kl))
print("counts =", counts.tolist())

ta = normals(12, 200, 3)
tb = normals(13, 150, 3) * np.array([1.0, 2.0, 0.5]) + np.array([0.0, 1.0, -1.0])
tb[:, 2] += 0.8 * tb[:, 0]
w = [w1(ta[:, j], tb[:, j]) for j in range(3)]
print("W1 per column =", repr(w))
sd = ta.std(0, ddof=1)
print("mean standardised W1 =", repr(float(np.mean(np.array(w) / sd))))
ca, cb = np.corrcoef(ta, rowvar=False), np.corrcoef(tb, rowvar=False)
iu = np.triu_indices(3, 1)
print("corr Frobenius, mean abs =", repr(float(np.linalg.norm(ca - cb))), repr(float(np.abs(ca - cb)[iu].mean())))
