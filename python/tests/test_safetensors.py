"""The hand-written safetensors reader/writer: round trip of every dtype, the layout the format prescribes, errors."""
import json
import os
import struct
import sys
import tempfile
import unittest

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from generative_torch import safetensors  # noqa: E402


class SafeTensorsTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "t.safetensors")

    def tearDown(self):
        self.dir.cleanup()

    def test_every_dtype_round_trips_bit_for_bit(self):
        tensors = {
            "f32": torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1,
            "f64": torch.tensor([1 / 3, -2.5, 1e300], dtype=torch.float64),
            "f16": torch.tensor([0.5, -1.25, 65504.0], dtype=torch.float16),
            "bf16": torch.tensor([1.5, -2.0], dtype=torch.bfloat16),
            "i64": torch.tensor([-9007199254740993, 42]),
            "i32": torch.tensor([[-7], [2 ** 31 - 1]], dtype=torch.int32),
            "u8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
            "bool": torch.tensor([True, False, True]),
            "empty": torch.zeros(0, 3),
        }
        safetensors.save(self.path, tensors, {"note": "x"})
        back, meta = safetensors.load(self.path)
        self.assertEqual(meta, {"format": "pt", "note": "x"})
        self.assertEqual(sorted(back), sorted(tensors))
        for name, t in tensors.items():
            self.assertEqual(back[name].dtype, t.dtype, name)
            self.assertEqual(back[name].shape, t.shape, name)
            self.assertTrue(torch.equal(back[name], t), name)

    def test_layout_is_sorted_aligned_little_endian(self):
        safetensors.save(self.path, {"b": torch.tensor([1.0], dtype=torch.float32), "a": torch.tensor([2], dtype=torch.int64)})
        with open(self.path, "rb") as f:
            blob = f.read()
        (n,) = struct.unpack("<Q", blob[:8])
        self.assertEqual(n % 8, 0)
        header = json.loads(blob[8:8 + n])
        self.assertEqual([k for k in header if k != "__metadata__"], ["a", "b"])
        self.assertEqual(header["a"], {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]})
        self.assertEqual(header["b"], {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]})
        self.assertEqual(blob[8 + n:], struct.pack("<q", 2) + struct.pack("<f", 1.0))

    def test_a_truncated_file_is_refused(self):
        safetensors.save(self.path, {"a": torch.ones(4)})
        with open(self.path, "rb") as f:
            blob = f.read()
        with open(self.path, "wb") as f:
            f.write(blob[:-1])
        with self.assertRaisesRegex(ValueError, "need 16 bytes"):
            safetensors.load(self.path)


if __name__ == "__main__":
    unittest.main()
