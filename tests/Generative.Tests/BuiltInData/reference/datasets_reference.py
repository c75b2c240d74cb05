"""Reference facts about the embedded data files, computed straight from the files with numpy
(run: /usr/bin/python3 datasets_reference.py). Pasted into BuiltInDataTests.cs."""
import gzip, hashlib, os
import numpy as np

res = os.path.join(os.path.dirname(__file__), "../../../../src/Generative/Data/BuiltIn/Resources")
for name in ["digits.csv.gz", "wine_data.csv", "breast_cancer.csv"]:
    print(name, hashlib.sha256(open(os.path.join(res, name), "rb").read()).hexdigest())

d = np.loadtxt(gzip.open(os.path.join(res, "digits.csv.gz"), "rt"), delimiter=",")
pix, lab = d[:, :64], d[:, 64].astype(int)
print("digits", d.shape, "class counts", np.bincount(lab).tolist())
print("digits scaled (p/8-1) sum", repr(float((pix / 8 - 1).sum())), "first row label", lab[0], "pixel[0, 2]", pix[0, 2])

for name in ["wine_data.csv", "breast_cancer.csv"]:
    t = np.loadtxt(os.path.join(res, name), delimiter=",", skiprows=1)
    x, y = t[:, :-1], t[:, -1].astype(int)
    print(name, x.shape, "class counts", np.bincount(y).tolist(), "column sums", repr(x.sum(0)[:3].tolist()), "last column sum", repr(float(x.sum(0)[-1])))
