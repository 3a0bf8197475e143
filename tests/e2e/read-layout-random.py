#!/usr/bin/env python3
"""Random C structs for read-layout-random.sh (issue 12: "a generated test covers many random
structs"). Writes DIR/gen.h, the declarations as a user would paste them, and DIR/main.c, a
program that sets every leaf of each struct sK through C, writes two copies (an array of 2) at
offset K * 4096 of the file named by argv[1], and prints what `shmkit read --layout @gen.h
--struct sK --count 2` must print. C reads every leaf back itself, so the compiler alone decides
offsets, sizes, padding and union overlaps.   Usage: read-layout-random.py DIR SEED COUNT"""
import random
import sys

out_dir, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)

SIGNED = ["char", "signed char", "short", "int", "long", "long long", "int8_t", "int16_t",
          "int32_t", "int64_t", "ssize_t", "pid_t", "off_t", "time_t", "ptrdiff_t", "intptr_t",
          "short int", "long int", "signed"]
UNSIGNED = ["unsigned char", "unsigned short", "unsigned", "unsigned int", "unsigned long",
            "unsigned long long", "uint8_t", "uint16_t", "uint32_t", "uint64_t", "size_t",
            "uid_t", "gid_t", "dev_t", "ino_t", "uintptr_t", "u32_alias", "enum colour"]
OTHER = ["float", "double", "_Bool", "bool", "void *", "struct pair"]


def kind(t):
    if t in SIGNED:
        return "s"
    if t in UNSIGNED:
        return "u"
    return {"float": "f", "double": "f", "_Bool": "b", "bool": "b", "void *": "p",
            "struct pair": "pair"}[t]


class Gen:
    def __init__(self):
        self.n = 0

    def members(self, depth, ints_only=False):
        return [self.member(depth, ints_only) for _ in range(rng.randint(2, 6))]

    def member(self, depth, ints_only):
        self.n += 1
        m = {"name": f"m{self.n}", "dims": [], "packed": False, "align": None}
        if not ints_only and rng.random() < 0.06:
            m["packed"] = True
        if not ints_only and rng.random() < 0.06:
            m["align"] = rng.choice([1, 2, 4, 8, 16])
        r = rng.random()
        if depth < 2 and r < 0.12:
            kw = "struct" if rng.random() < 0.7 else "union"
            m.update(kind="record", kw=kw, packed_rec=rng.random() < 0.2,
                     members=self.members(depth + 1, ints_only or kw == "union"))
            if rng.random() < 0.3:
                m["dims"] = [rng.randint(1, 3)]
            m["packed"] = m["align"] = None
            return m
        if depth < 2 and r < 0.17 and not ints_only:
            return {"kind": "record", "kw": "union", "packed_rec": False, "name": None,
                    "dims": [], "packed": None, "align": None,
                    "members": self.members(depth + 1, True)}
        if r < 0.27 and not ints_only:
            m.update(kind="text", type="char", dims=[rng.randint(1, 12)])
            return m
        m.update(kind="scalar", type=rng.choice(SIGNED + UNSIGNED + ([] if ints_only else OTHER)))
        if r < 0.40:
            m["dims"] = [rng.randint(1, 3) for _ in range(rng.randint(1, 2))]
            if m["type"] == "char" and ints_only:  # no text overlapping other union members
                m["type"] = "signed char"
            elif m["type"] == "char":  # an array of plain char is text: one leaf per row
                m.update(kind="text", dims=m["dims"][:1] + [rng.randint(2, 5)])
        return m


def render(members, indent):
    out = []
    for m in members:
        pad = "  " * indent
        dims = "".join(f"[{d}]" for d in m["dims"])
        # _Alignas may not reduce an alignment (a C constraint): 16 only; aligned(N) may be less.
        align = "_Alignas(16) " if m["align"] == 16 else ""
        attr = " __attribute__((packed))" if m["packed"] else ""
        if m["align"] and m["align"] != 16:
            attr += f" __attribute__((aligned({m['align']})))"
        if m["kind"] == "record":
            packed = " __attribute__((packed))" if m["packed_rec"] else ""
            name = f" {m['name']}" if m["name"] else ""
            out.append(f"{pad}{m['kw']}{packed} {{")
            out += render(m["members"], indent + 1)
            out.append(f"{pad}}}{name}{dims};")
        else:
            t = m["type"]
            star = t.endswith("*")
            decl = f"{t}{m['name']}" if star else f"{t} {m['name']}"
            out.append(f"{pad}{align}{decl}{dims}{attr};")
    return out


def indices(dims):
    if not dims:
        yield ""
        return
    for i in range(dims[0]):
        for rest in indices(dims[1:]):
            yield f"[{i}]{rest}"


def leaves(members, prefix):
    """(path, kind, text length) in declaration order, as shmkit lists them."""
    for m in members:
        base = prefix + (("." if prefix else "") + m["name"] if m["name"] else "")
        if m["kind"] == "record":
            if not m["name"]:
                yield from leaves(m["members"], prefix)
                continue
            for idx in indices(m["dims"]):
                yield from leaves(m["members"], base + idx)
        elif m["kind"] == "text":
            for idx in indices(m["dims"][:-1]):
                yield base + idx, "t", m["dims"][-1]
        else:
            k = kind(m["type"])
            for idx in indices(m["dims"]):
                if k == "pair":
                    yield base + idx + ".a", "s", 0
                    yield base + idx + ".b", "s", 0
                else:
                    yield base + idx, k, 0


header = [f"/* generated by read-layout-random.py {seed} {count} */", "#include <stdbool.h>",
          "#include <stddef.h>", "#include <stdint.h>", "#include <sys/types.h>",
          "typedef uint32_t u32_alias;", "enum colour { RED, GREEN, BLUE = 7 };",
          "struct pair { short a; char b; };"]
main = ["#include \"gen.h\"", "#include <stdio.h>", "#include <string.h>",
        "int main(int argc, char **argv) {", "  FILE *data = fopen(argv[1], \"w\");",
        "  if (!data) return 1;"]
for k in range(count):
    members = Gen().members(0)
    packed = " __attribute__((packed))" if rng.random() < 0.15 else ""
    aligned = f" __attribute__((aligned({rng.choice([8, 16, 32])})))" if rng.random() < 0.08 else ""
    text = "\n".join([f"struct{packed} s{k} {{"] + render(members, 1) + [f"}}{aligned};"])
    if rng.random() < 0.08:
        text = f"#pragma pack(push, {rng.choice([1, 2, 4])})\n{text}\n#pragma pack(pop)"
    header.append(text)
    main.append(f"  {{ struct s{k} v[2]; memset(v, 0, sizeof v); unsigned n = 0;")
    sets, prints = [], []
    for n, (path, k_, size) in enumerate(leaves(members, ""), 1):
        lv = f"v[0].{path}"
        if k_ == "s":
            sets.append(f"{lv} = -{n % 100};")
            prints.append(f'printf("[%u].{path} = %lld\\n", r, (long long)v[r].{path});')
        elif k_ == "u":
            sets.append(f"{lv} = {n % 200};")
            prints.append(f'printf("[%u].{path} = %llu\\n", r, (unsigned long long)v[r].{path});')
        elif k_ == "f":
            sets.append(f"{lv} = {n}.5;")
            prints.append(f'printf("[%u].{path} = %g\\n", r, (double)v[r].{path});')
        elif k_ == "b":
            sets.append(f"{lv} = {n % 2};")
            prints.append(f'printf("[%u].{path} = %s\\n", r, v[r].{path} ? "true" : "false");')
        elif k_ == "p":
            sets.append(f"{lv} = (void *)(uintptr_t){n * 4096};")
            prints.append(f'printf("[%u].{path} = %#lx\\n", r, (unsigned long)(uintptr_t)v[r].{path});')
        else:
            word = f"t{n}"[: size - 1]
            sets.append(f'memcpy({lv}, "{word}", {len(word)});')
            prints.append(f'printf("[%u].{path} = %.*s\\n", r, {size}, v[r].{path});')
    main += ["    " + s for s in sets]
    main.append("    v[1] = v[0]; (void)n;")
    main.append(f"    fseek(data, {k} * 4096L, SEEK_SET); fwrite(v, sizeof v, 1, data);")
    main.append(f'    printf("== s{k} %zu\\n", sizeof v[0]);')
    main.append("    for (unsigned r = 0; r < 2; r++) {")
    main += ["      " + p for p in prints]
    main.append("    }")
    main.append("  }")
main += ["  return fclose(data) != 0;", "}"]
open(f"{out_dir}/gen.h", "w").write("\n".join(header) + "\n")
open(f"{out_dir}/main.c", "w").write("\n".join(main) + "\n")
