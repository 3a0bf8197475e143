#!/usr/bin/env python3
"""Writes the hand-made seeds of tests/fuzz/corpus/ (README.md there): valid forms of each
grammar and the hostile inputs of the earlier issues (tests/unit, tests/e2e). Run from anywhere;
it only adds files named seed-*. Captured kernel files are added by capture_proc.sh."""
import hashlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "corpus")


def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# address: first byte: bit 0 set = AddressUse::create.
addresses = [
    "id:0", "id:32769", "id:2147483647", "id:2147483648", "id:-1", "id:", "id:0x10", "id:010",
    "32769", "2147483648", "0x0052e2c1", "0X1", "0x100000000", "0x", "key:0x1234", "key:1",
    "key:4294967295", "key:0", "key:-1", "key:auto", "key:private", "key:", "key:0x00000000",
    "ftok:/etc/passwd", "ftok:/etc/passwd:A", "ftok:/etc/passwd:65", "ftok:/etc/passwd:255",
    "ftok:/etc/passwd:256", "ftok:/etc/passwd:0", "ftok:/etc/hostname:0x41", "ftok:/x:AB",
    "ftok:/x:", "ftok:", "ftok::", "ftok:/nonexistent:dir/x", "ftok:/nonexistent/a\\x3ab",
    "ftok:/tmp/\\x:A", "ftok:a\\x00b:1", "ftok:rel:\xff", "ftok:/a:\xc3\xa9",
    "posix:/demo", "posix:demo", "/demo", "demo", "posix:", "posix:/", "/", ".", "..", "posix:..",
    "posix:/a/b", "posix:" + "a" * 255, "posix:" + "a" * 256, "posix:a\\x", "posix:a\\x4",
    "a\\xZZ", "a\\x4Zb", "posix:a\\x\n", "posix:a\\x5cxZZ", "posix:a\\b", "posix:\\x2e",
    "posix:\\x2e\\x2e", "posix:a\\x2fb", "posix:a\\x00b", "posix:/a\nb\x1b[31m\xff\\x",
    "posix:/a\\x0ab\\x1b[31m\\xff\\x5cx", "posix:caf\xc3\xa9", "posix:\xc2\x85", "\x1b[31m",
    "posix:/\x1b[31m", "posix:/a\x9bb", "file:/tmp/x", "file:", "file:/tmp/a\\xg0", "./ring.bin",
    "../ring.bin", "/tmp/x", "dir/x", "//", "file:rel", "file:a\\x00", "file:/tmp/a b",
    "file:/tmp/\\x20", "\xff\xfe", "", "shared", "posix:shared", "posix:missing", "a:b",
]
for i, a in enumerate(addresses):
    for use in (0, 1):
        put("address", bytes([use]) + a.encode("utf-8", "surrogateescape"))

# numbers: first byte % 6: 0 byte count/size, 1 parse_uint (max index (b/6)%7), 2 key,
# 3 shmid, 4 mode, 5 duration.
sizes = ["1", "4096", "010", "0x10", "0X1f", "1K", "1k", "1KiB", "1KB", "2M", "1MB", "1G",
         "3GiB", "1T", "1P", "15E", "16E", "17E", "100B", "18446744073709551615",
         "18446744073709551616", "99999999999999999999", "0xffffffffffffffff", "1Q", "-1", "+1",
         "0", "0K", "", "0x", "1.5K", "1e3", "4K1", " 12", "12 ", "1kiB", "1KIB", "0x1B", "0x1KB",
         "0x1EiB", "16384P", "1\x1b[31m", "\x01", "1s\r", "\xff\xfe", "100", "101", "1M\n"]
for s in sizes:
    put("numbers", b"\x00" + s.encode("utf-8", "surrogateescape"))
for i, s in enumerate(["0", "1", "255", "256", "2", "0x4000000000000000", "-1", "=-1", "1.5"]):
    put("numbers", bytes([1 + 6 * (i % 7)]) + s.encode())
for s in ["2", "0x0052e2c1", "0xffffffff", "4294967295", "0x100000000", "-1", "abc", "0"]:
    put("numbers", b"\x02" + s.encode())
for s in ["0", "32769", "2147483647", "2147483648", "-1", "0x10"]:
    put("numbers", b"\x03" + s.encode())
for s in ["600", "0600", "0o640", "0", "777", "4755", "1777", "8", "u=rw", "0o", "", "0O7",
          "07777", "77777777777", "666"]:
    put("numbers", b"\x04" + s.encode())
for s in ["100ms", "2s", "1m", "1h", "1d", "0", "0ms", "-1s", "1x", "", "5", "1s\r",
          "4503599627370496ms", "4503599627370497ms", "52125d", "99999999999999999999s", "1.5s"]:
    put("numbers", b"\x05" + s.encode())

# typed: first byte c: type c%10 (u8 i8 u16 i16 u32 i32 u64 i64 f32 f64), endian (c/10)%3
# (little big native), (c/30)%3 == 2: the rest are segment bytes for format_value.
def typed(type_index, endian, text, as_bytes=False):
    c = type_index + 10 * endian + (60 if as_bytes else 0)
    put("typed", bytes([c]) + (text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")))

values = ["0", "1", "42", "255", "256", "-1", "-128", "-129", "127", "0xff", "0x7f", "-0x80",
          "-0x81", "65535", "-32768", "4294967295", "-2147483648", "18446744073709551615",
          "18446744073709551616", "-9223372036854775808", "-9223372036854775809", "010", "--1",
          "-+1", "+1", " 1", "1 ", "abc", "five", "", "-", "0x", "-0x", "1.5", ".5", "1e-3",
          "-2E+10", "inf", "-inf", "INFINITY", "nan", "-nan", "NaN", "nan(123)", "0x1p3", "1e400",
          "1e-400", "1e39", "1e-46", "3.4028235e38", "1e-45", "5e-324", "-0", "-0.0",
          "1.7976931348623157e308", "1\x1b[31m", "u32\x1b"]
for t in range(10):
    for v in values:
        typed(t, t % 3, v)
for t in range(10):
    for raw in [b"\x00" * 8, b"\xff" * 8, b"\x01\x02\x03\x04\x05\x06\x07\x08", b"\x00\x00\xc0\x7f",
                b"\x01\x00\xc0\xff", b"\x00\x00\x00\x00\x00\x00\xf8\x7f", b"\x01", b"\x00\x00\x80\x00"]:
        typed(t, 0, raw, True)
        typed(t, 1, raw, True)
for name in ["u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64", "int", "u128",
             "U8", "little", "big", "native", "middle", "u32\x1b[31m"]:
    typed(0, 0, name)

# hex: the text of write --hex.
for h in ["", "deadBEEF", "de ad be ef", "de\tad\r\nbe\nef", "0xdead", "d e", "abc", "g0",
          "00ff" * 30 + "\n" + "00ff" * 30 + "\n", "de ad\x1b[31m", "\xff", "a", " ", "ZZ",
          "0X12", "12 3", "\x00\x00"]:
    put("hex", h)

# columns: ls -o / --sort.
for c in ["segment", "SEGMENT,TYPE", "+pids", "+size,segment", "size", "Size", "key,key",
          "+segment", "", ",", "segment,", ",segment", "nosuch", "SEGMENT,\x1b[31m", "+",
          "+,", "pids,command,state,reason", "atime,dtime,ctime,mtime", "\xff\xfe",
          "segment,type,key,id,name,perms,owner,group,uid,gid,cuid,cgid,cuser,cgroup,size,rss,swap,"
          "alloc,nattch,cpid,lpid,pids,command,status,state,reason,atime,dtime,ctime,mtime"]:
    put("columns", c)

# sysvipc: 8 chunk-size bytes, then a table (unit-test shapes; captured ones: capture_proc.sh).
H16 = ("       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  "
       "cgid      atime      dtime      ctime                   rss                  swap\n")
H14 = ("       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  "
       "cgid      atime      dtime      ctime\n")
ROW14 = "         1          1   600                  4096     1     1      0     0     0     0     0          0          0          5\n"
tables = [
    H16 + "         2      32769   666                  4096  1234  1240      1  1000  1000  1000  1000 1700000100 1700000050 1700000000                  4096                     0\n",
    H14 + "        -1          3  1600                 65536    10    11      2  1000   100     0     0          1          2          3\n"
          "-2147483648          5  3666                     1     1     1      0 65534 65534     0     0          0          0          9\n",
    H14 + ROW14 + "this is not a row\n\n"
          "         2          2   600                  4096     1     1      0     0     0     0     0          0\n"
          "         3          3   600                 4096x     1     1      0     0     0     0     0          0          0          5\n"
          "         4          4   800                  4096     1     1      0     0     0     0     0          0          0          5\n",
    H14 + ROW14.rstrip("\n"),
    H16.rstrip("\n"), H14, "", "\n", "garbage\n" + ROW14,
    "key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime extra\n1 1 600 1 1 1 0 0 0 0 0 0 0 5 zz\n",
    "key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime\n",
    "key key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime\n",
    "key\x1b[31m shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime\n",
    "shmid\tkey\tperms\tsize\tcpid\tlpid\tnattch\tuid\tgid\tcuid\tcgid\tatime\tdtime\tctime\r\n1\t2\t777\t1\t1\t1\t0\t0\t0\t0\t0\t0\t0\t5\r\n",
    H14 + "4294967295 2147483647 177777 18446744073709551615 2147483647 2147483648 18446744073709551615 4294967295 4294967295 4294967295 4294967296 9223372036854775807 9223372036854775808 0\n",
    H14 + "-2147483649 1 600 1 1 1 0 0 0 0 0 0 0 5\n" + "4294967296 1 600 1 1 1 0 0 0 0 0 0 0 5\n"
          "1 -1 600 1 1 1 0 0 0 0 0 0 0 5\n" + "1 1 200000 1 1 1 0 0 0 0 0 0 0 5\n",
]
for i, t in enumerate(tables):
    put("sysvipc", bytes([(i * 37 + k * 11) % 256 for k in range(8)]) + t.encode())

# maps: /proc/PID/maps text (captured ones: capture_proc.sh).
for m in [
    "7f00-7f10 rw-s 00000000 00:01 32769                      /SYSV00001234 (deleted)\n",
    "7f00-7f10 r--s 00000000 00:1a 3                          /dev/shm/ring\n",
    "7f00-7f10 rw-s 00000000 00:1a 3 /dev/shm/a b (deleted)",
    "7f00-7f10 rw-s 00000000 00:01 5 /dev/zero (deleted)\n",
    "7f00-7f10 rw-p 00000000 00:00 0 [heap]\n",
    "7f00-7f10 rw-s 00000000 00:01 5\n",
    "7f00 rw-s 00000000 00:01 5 /x\n",
    "7f00-7f10 rw-s 00000000 0001 5 /x\n",
    "7f00-7f10 rw- 00000000 00:01 5 /x\n",
    "ffffffffffffffff-10000000000000000 rw-s 0 fff:fffff 18446744073709551615 /x\n",
    "7f00-7f10\trw-s\t0\t00:01\t5\t/x\r\n",
    "-7f10 rw-s 0 00:01 5 /x\n7f00- rw-s 0 00:01 5 /x\n7f00-7f10 rw-s 0 :01 5 /x\n",
    "7f00-7f10 rw-s 0 00:01 5 /SYSV0000123 (deleted)\n7f00-7f10 rw-s 0 00:01 5 /SYSV0000123g\n",
    "7f00-7f10 rw-s 0 00:01 5 /SYSVFFFFFFFF (deleted)\n\n\n",
]:
    put("maps", m)
