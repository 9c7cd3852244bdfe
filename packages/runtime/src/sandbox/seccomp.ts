// A seccomp filter for sandboxed jobs, as the classic BPF program bubblewrap loads with --seccomp.
// No npm package compiles seccomp filters without a native add-on, and the program is small: check
// the architecture, refuse a fixed list of system calls, and refuse clone() that asks for namespaces.
// The list follows what container runtimes' default profiles refuse to an unprivileged container.

/** System calls a job is refused (EPERM), with their numbers on x86-64 and on arm64. */
const DENIED: Record<string, [x64: number, arm64: number | undefined]> = {
  // mounts and filesystems
  mount: [165, 40],
  umount2: [166, 39],
  pivot_root: [155, 41],
  chroot: [161, 51],
  fsopen: [430, 430],
  fsconfig: [431, 431],
  fsmount: [432, 432],
  fspick: [433, 433],
  move_mount: [429, 429],
  open_tree: [428, 428],
  mount_setattr: [442, 442],
  open_by_handle_at: [304, 265],
  name_to_handle_at: [303, 264],
  quotactl: [179, 60],
  quotactl_fd: [443, 443],
  swapon: [167, 224],
  swapoff: [168, 225],
  // namespaces (clone's flags are checked separately)
  unshare: [272, 97],
  setns: [308, 268],
  // other processes' memory
  ptrace: [101, 117],
  process_vm_readv: [310, 270],
  process_vm_writev: [311, 271],
  kcmp: [312, 272],
  pidfd_getfd: [438, 438],
  // the kernel itself: modules, keyrings, BPF, perf, reboot, clocks, logs
  init_module: [175, 105],
  finit_module: [313, 273],
  delete_module: [176, 106],
  kexec_load: [246, 104],
  kexec_file_load: [320, 294],
  reboot: [169, 142],
  add_key: [248, 217],
  request_key: [249, 218],
  keyctl: [250, 219],
  bpf: [321, 280],
  perf_event_open: [298, 241],
  userfaultfd: [323, 282],
  fanotify_init: [300, 262],
  lookup_dcookie: [212, 18],
  acct: [163, 89],
  syslog: [103, 116],
  settimeofday: [164, 170],
  clock_settime: [227, 112],
  clock_adjtime: [305, 266],
  adjtimex: [159, 171],
  sethostname: [170, 161],
  setdomainname: [171, 162],
  vhangup: [153, 58],
  iopl: [172, undefined],
  ioperm: [173, undefined],
  // io_uring bypasses seccomp for the operations it performs
  io_uring_setup: [425, 425],
  io_uring_enter: [426, 426],
  io_uring_register: [427, 427],
};
const CLONE: [number, number] = [56, 220];
const CLONE3: [number, number] = [435, 435];

/** Namespace flags of clone(2): CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

const ARCH = {
  x64: { audit: 0xc000003e, index: 0 },
  arm64: { audit: 0xc00000b7, index: 1 },
} as const;

const EPERM = 1;
const ENOSYS = 38;
const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const retErrno = (errno: number) => 0x00050000 | errno;
/** x32 system calls on x86-64 carry this bit; a job gets none of them. */
const X32_SYSCALL_BIT = 0x40000000;

// Classic BPF opcodes.
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;
// Offsets in struct seccomp_data: nr, arch, then args[6] as u64 (args[0]'s low word first, little-endian).
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
const OFFSET_ARG0_LOW = 16;

/** A jump target: the next instruction, or a label placed further on. */
type Target = "next" | Label;
type Label = "allow" | "eperm" | "enosys" | "kill" | "clone" | "personality";
type Instruction = { code: number; k: number; jt?: Target; jf?: Target; label?: Label };

/**
 * personality(2) values a job may set, as in container runtimes' default profiles: Linux, 32-bit Linux, the
 * 2.6 uname and both together, and the query. Anything else (such as turning address randomisation off) is EPERM.
 */
const ALLOWED_PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];
const PERSONALITY: [number, number] = [135, 92];

/**
 * The filter for this machine's architecture, as bytes for bubblewrap's `--seccomp FD`: the refused calls
 * fail with EPERM, clone() with a namespace flag fails with EPERM, clone3() with ENOSYS (its flags sit
 * behind a pointer the filter cannot read, so the C library falls back to clone), personality() only takes
 * the usual values, and a call made through another architecture's ABI (32-bit or x32 on x86-64) kills the
 * process.
 * @returns undefined on an architecture the filter does not know.
 */
export function seccompFilter(arch: string = process.arch): Buffer | undefined {
  if (arch !== "x64" && arch !== "arm64") return undefined;
  const { audit, index } = ARCH[arch];
  const denied = Object.values(DENIED)
    .map((numbers) => numbers[index])
    .filter((n): n is number => n !== undefined);
  const program: Instruction[] = [
    { code: LD_W_ABS, k: OFFSET_ARCH },
    { code: JEQ_K, k: audit, jt: "next", jf: "kill" },
    { code: LD_W_ABS, k: OFFSET_NR },
    ...(arch === "x64" ? [{ code: JGE_K, k: X32_SYSCALL_BIT, jt: "kill" as const, jf: "next" as const }] : []),
    ...denied.map((nr) => ({ code: JEQ_K, k: nr, jt: "eperm" as const, jf: "next" as const })),
    { code: JEQ_K, k: CLONE3[index], jt: "enosys", jf: "next" },
    { code: JEQ_K, k: PERSONALITY[index], jt: "personality", jf: "next" },
    { code: JEQ_K, k: CLONE[index], jt: "clone", jf: "allow" },
    // clone: refuse namespace flags, allow the rest.
    { code: LD_W_ABS, k: OFFSET_ARG0_LOW, label: "clone" },
    { code: JSET_K, k: CLONE_NAMESPACE_FLAGS, jt: "eperm", jf: "allow" },
    // personality: only the usual values.
    { code: LD_W_ABS, k: OFFSET_ARG0_LOW, label: "personality" },
    ...ALLOWED_PERSONALITIES.map((value, i) => ({
      code: JEQ_K,
      k: value,
      jt: "allow" as const,
      jf: i === ALLOWED_PERSONALITIES.length - 1 ? ("eperm" as const) : ("next" as const),
    })),
    { code: RET_K, k: RET_ALLOW, label: "allow" },
    { code: RET_K, k: retErrno(EPERM), label: "eperm" },
    { code: RET_K, k: retErrno(ENOSYS), label: "enosys" },
    { code: RET_K, k: RET_KILL_PROCESS, label: "kill" },
  ];
  return encode(program);
}

/** Classic BPF jumps are forward offsets from the next instruction, at most 255. */
function encode(program: Instruction[]): Buffer {
  const at = new Map(program.flatMap((ins, i) => (ins.label ? [[ins.label, i] as const] : [])));
  const offset = (from: number, target: Target | undefined) => {
    if (target === undefined || target === "next") return 0;
    const to = at.get(target);
    if (to === undefined || to <= from || to - from - 1 > 255) throw new Error(`seccomp: no forward jump to ${target}`);
    return to - from - 1;
  };
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach((ins, i) => {
    bytes.writeUInt16LE(ins.code, i * 8);
    bytes.writeUInt8(offset(i, ins.jt), i * 8 + 2);
    bytes.writeUInt8(offset(i, ins.jf), i * 8 + 3);
    bytes.writeUInt32LE(ins.k >>> 0, i * 8 + 4);
  });
  return bytes;
}
