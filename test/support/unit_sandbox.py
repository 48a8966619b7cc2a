#!/usr/bin/env python3
"""Runs a program under an approximation of a systemd unit's sandbox, for test/systemd-units.e2e-spec.ts.

This machine has no running systemd (no `systemd-run`), so the unit's restrictions are applied here with the
kernel features systemd itself uses; run as root:

  RestrictAddressFamilies=  a seccomp filter: socket() with any other family fails with EAFNOSUPPORT, as
                            systemd's filter answers (SystemCallArchitectures=native: other ABIs are killed)
  NoNewPrivileges=yes       prctl(PR_SET_NO_NEW_PRIVS)
  ProtectSystem=strict      a private mount namespace where every mount is read-only but /dev, /proc and the
                            --writable directories (StateDirectory=)
  ProtectKernelTunables=yes /proc/sys and /sys read-only
  PrivateTmp=yes            an empty tmpfs on /tmp and /var/tmp
  ProtectHome=yes           /home, /root and /run/user empty and inaccessible
  User= SupplementaryGroups= --uid, --gid and --groups (every capability dropped, bounding set emptied)
  UMask=                    --umask

--visible keeps a directory under /tmp visible (read-only), e.g. the folder of a test's PTY links.

usage: unit_sandbox.py --families "AF_UNIX AF_INET" --writable DIR [--visible DIR] --uid N --gid N
                       [--groups N,N] [--umask 0077] -- PROGRAM ARGS...
"""

import argparse
import ctypes
import errno
import os
import platform
import struct

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 24, 38, 22, 2

FAMILIES = {'AF_UNIX': 1, 'AF_INET': 2, 'AF_INET6': 10, 'AF_NETLINK': 16, 'AF_PACKET': 17}
# (AUDIT_ARCH_*, the socket() syscall's number) of the ABIs a Pi or a test machine runs.
NATIVE = {'x86_64': (0xC000003E, 41), 'aarch64': (0xC00000B7, 198), 'armv7l': (0x40000028, 281)}


def check(result, what):
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f'{what}: {os.strerror(code)}')


def mount(source, target, fstype, flags, data=None):
    encode = lambda value: None if value is None else value.encode()
    check(libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f'mount {target}')


def mounts():
    """(mount point, per-mount flags) of every mount, parents first."""
    result = []
    with open('/proc/self/mountinfo') as info:
        for line in info:
            fields = line.split()
            point = fields[4].encode().decode('unicode_escape')
            options = fields[5].split(',')
            flags = sum(flag for name, flag in (('nosuid', MS_NOSUID), ('nodev', MS_NODEV), ('noexec', MS_NOEXEC)) if name in options)
            result.append((point, flags))
    return result


def under(path, parent):
    return path == parent or path.startswith(parent.rstrip('/') + '/')


def protect_filesystem(writable, visible):
    check(libc.unshare(CLONE_NEWNS), 'unshare')
    mount(None, '/', None, MS_REC | MS_PRIVATE)
    # Held open to bind them back once /tmp and /home are covered.
    kept = [(path, os.open(path, os.O_PATH), False) for path in writable]
    kept += [(path, os.open(path, os.O_PATH), True) for path in visible]
    for point, flags in mounts():
        if any(under(point, top) for top in ('/dev', '/proc')) and not under(point, '/proc/sys'):
            continue
        try:
            mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except OSError as error:
            if error.errno not in (errno.EACCES, errno.EPERM, errno.EINVAL, errno.ENOENT):
                raise
    for point in ('/tmp', '/var/tmp'):
        if os.path.isdir(point):
            mount('tmpfs', point, 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=1777')
    for point in ('/home', '/root', '/run/user'):
        if os.path.isdir(point):
            mount('tmpfs', point, 'tmpfs', MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 'mode=000')
    for path, fd, readonly in kept:
        os.makedirs(path, exist_ok=True)
        mount(f'/proc/self/fd/{fd}', path, None, MS_BIND)
        mount(None, path, None, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | (MS_RDONLY if readonly else 0))
        os.close(fd)


def become(uid, gid, groups):
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != errno.EINVAL:
            check(-1, f'dropping capability {cap}')
    os.setgroups(groups)
    os.setgid(gid)
    os.setuid(uid)


def restrict_address_families(names):
    arch, socket_nr = NATIVE[platform.machine()]
    allowed = [FAMILIES[name] for name in names]
    ld_abs, jeq, ret = 0x20, 0x15, 0x06
    allow, kill = 0x7FFF0000, 0x80000000
    deny = 0x00050000 | errno.EAFNOSUPPORT
    program = [
        (ld_abs, 0, 0, 4),  # seccomp_data.arch
        (jeq, 1, 0, arch),
        (ret, 0, 0, kill),
        (ld_abs, 0, 0, 0),  # seccomp_data.nr
        (jeq, 1, 0, socket_nr),
        (ret, 0, 0, allow),
        (ld_abs, 0, 0, 16),  # the low half of args[0], the family
    ]
    for index, family in enumerate(allowed):
        program.append((jeq, len(allowed) - index, 0, family))
    program += [(ret, 0, 0, deny), (ret, 0, 0, allow)]
    filters = b''.join(struct.pack('HBBI', *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(filters)

    class SockFprog(ctypes.Structure):
        _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]

    fprog = SockFprog(len(program), ctypes.addressof(buffer))
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 'no_new_privs')
    check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0), 'seccomp')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--families', required=True)
    parser.add_argument('--writable', action='append', default=[])
    parser.add_argument('--visible', action='append', default=[])
    parser.add_argument('--uid', type=int, required=True)
    parser.add_argument('--gid', type=int, required=True)
    parser.add_argument('--groups', default='')
    parser.add_argument('--umask', default='0077')
    parser.add_argument('program', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    program = args.program[1:] if args.program[:1] == ['--'] else args.program
    protect_filesystem(args.writable, args.visible)
    become(args.uid, args.gid, [int(group) for group in args.groups.split(',') if group])
    os.umask(int(args.umask, 8))
    restrict_address_families(args.families.split())
    os.execv(program[0], program)


if __name__ == '__main__':
    main()
