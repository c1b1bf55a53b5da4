"""Take a process off the network for good: a seccomp-bpf filter that makes ``socket()`` fail.

Oxigraph evaluates ``SERVICE`` with its own HTTP client, which no option of pyoxigraph 0.5 turns off and
which ignores the node's network policy. The graph process only ever talks to the node over the Unix
socket it inherits, so it installs this filter at start: from then on ``socket()`` for any family but
``AF_UNIX`` (IPv4, IPv6, netlink, packet…) and ``io_uring_setup`` (which can open sockets without calling
``socket()``) fail with ``EACCES``, in every thread and in any process it might start; system calls of a
foreign ABI (x32, 32-bit compat) fail too. The filter cannot be removed (``PR_SET_NO_NEW_PRIVS``).

Linux on x86_64 and aarch64 only; elsewhere ``deny_network`` says why it could not, and the caller logs it.
Kernel interface: https://www.kernel.org/doc/html/latest/userspace-api/seccomp_filter.html
"""

import ctypes
import errno
import os
import platform
import socket
import struct
import sys

__all__ = ["deny_network"]

# From <linux/prctl.h>, <linux/seccomp.h>, <linux/filter.h>, <linux/audit.h>.
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_BPF_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_BPF_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_BPF_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_BPF_RET_K = 0x06  # BPF_RET | BPF_K
# Offsets in struct seccomp_data: nr, arch, then args[0] (its low 32 bits first on little-endian machines).
_NR, _ARCH, _ARG0 = 0, 4, 16
_X32_SYSCALL_BIT = 0x40000000
# machine: (AUDIT_ARCH_*, socket, io_uring_setup, seccomp) system call numbers.
_ABIS = {
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


def _program(arch: int, socket_nr: int, io_uring_nr: int, x32: bool) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jump if true, jump if false, k); jumps count the instructions to skip."""
    deny = _SECCOMP_RET_ERRNO | errno.EACCES
    body = [
        (_BPF_LD_W_ABS, 0, 0, _NR),
        (_BPF_JEQ_K, 0, 3, socket_nr),  # socket(): look at its family; else skip to the other checks
        (_BPF_LD_W_ABS, 0, 0, _ARG0),
        (_BPF_JEQ_K, 0, 3, socket.AF_UNIX),  # an AF_UNIX socket is allowed, any other family denied
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
        (_BPF_JEQ_K, 1, 0, io_uring_nr),
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
        (_BPF_RET_K, 0, 0, deny),
    ]
    if x32:  # on x86_64, a call with the x32 bit set is another ABI with its own socket(): deny them all
        body[1:1] = [(_BPF_JGE_K, len(body) - 2, 0, _X32_SYSCALL_BIT)]
    # A foreign architecture (i386 or arm compat calls) jumps straight to the final deny.
    return [(_BPF_LD_W_ABS, 0, 0, _ARCH), (_BPF_JEQ_K, 0, len(body) - 1, arch), *body]


def deny_network() -> str | None:
    """Install the filter on this process (all its threads); None once it works, else the reason why not.

    It is checked after installing: opening an IPv4 socket must then fail with ``EACCES``.
    """
    machine = platform.machine().lower()
    if not sys.platform.startswith("linux") or machine not in _ABIS or struct.calcsize("P") != 8:
        return f"seccomp filters are only installed on 64-bit Linux x86_64 and aarch64, not {sys.platform} {machine}"
    arch, socket_nr, io_uring_nr, seccomp_nr = _ABIS[machine]
    program = _program(arch, socket_nr, io_uring_nr, x32=machine == "x86_64")
    filters = (_SockFilter * len(program))(*[_SockFilter(*instruction) for instruction in program])
    fprog = _SockFprog(len(program), ctypes.cast(filters, ctypes.POINTER(_SockFilter)))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}"
    # seccomp(2) with TSYNC covers the threads already running; prctl only the calling one (kernels < 3.17).
    flags = _SECCOMP_FILTER_FLAG_TSYNC
    if libc.syscall(seccomp_nr, _SECCOMP_SET_MODE_FILTER, flags, ctypes.byref(fprog)) != 0:
        failure = ctypes.get_errno()
        if failure != errno.ENOSYS:
            return f"seccomp(SECCOMP_SET_MODE_FILTER) failed: {os.strerror(failure)}"
        if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
            return f"prctl(PR_SET_SECCOMP) failed: {os.strerror(ctypes.get_errno())}"
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except PermissionError:
        return None
    probe.close()
    return "the seccomp filter was installed but an IPv4 socket could still be opened"
