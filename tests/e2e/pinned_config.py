# SPDX-License-Identifier: GPL-2.0
"""The pinned config entry (struct haystack_config) read and written by
field name, with the offsets from the map's own BTF, for the tests that
leave the pins as a dying agent would."""
import json
import subprocess


def _bpftool(*args):
    return json.loads(subprocess.check_output(["bpftool", "-j"] + list(args)))


class Config:
    def __init__(self, pin_dir="/sys/fs/bpf/haystack"):
        self.path = pin_dir + "/config"
        btf_id = _bpftool("map", "show", "pinned", self.path)["btf_id"]
        types = {t["id"]: t for t in _bpftool("btf", "dump", "id", str(btf_id),
                                                "format", "raw")["types"]}
        self.types = types
        self.struct = next(t for t in types.values() if t.get("name") == "haystack_config")
        entry = _bpftool("map", "dump", "pinned", self.path)[0]
        self.value = bytearray(int(b, 16) for b in entry["value"])

    def _member(self, struct, name):
        m = next(m for m in struct["members"] if m["name"] == name)
        return m["bits_offset"] // 8, self.types[m["type_id"]]

    def _size(self, t):
        while t["kind"] in ("TYPEDEF", "CONST", "VOLATILE"):
            t = self.types[t["type_id"]]
        return t["size"] if t["kind"] != "ARRAY" else None

    def get(self, name, sub=None):
        """A u32/u64 member, an array of them (a list), or sub of a struct."""
        off, t = self._member(self.struct, name)
        if sub:
            o2, t = self._member(t, sub)
            off += o2
        if t["kind"] == "ARRAY":
            size = self._size(self.types[t["type_id"]])
            return [int.from_bytes(self.value[off + i * size:off + (i + 1) * size], "little")
                    for i in range(t["nr_elems"])], (off, size)
        size = self._size(t)
        return int.from_bytes(self.value[off:off + size], "little"), (off, size)

    def set(self, name, v):
        """A u32/u64 member."""
        _, (off, size) = self.get(name)
        self.value[off:off + size] = v.to_bytes(size, "little")

    def set_list(self, name, values):
        _, (off, size) = self.get(name)
        for i, v in enumerate(values):
            self.value[off + i * size:off + (i + 1) * size] = v.to_bytes(size, "little")

    def write(self):
        subprocess.check_call(["bpftool", "map", "update", "pinned", self.path,
                               "key", "hex", "00", "00", "00", "00",
                               "value", "hex"] + ["%02x" % b for b in self.value])
