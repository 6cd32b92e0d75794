#!/usr/bin/env python3
"""Register-tile probe: the GEMM tile's loop forms as C2 compiles them (docs/performance.md).

Generates G.java with one method per tile form (6, 5 or 4 rows x 2 vectors of 8 floats,
packed A strips of a given stride per step, one or two steps per loop turn, B loaded before
or after the first broadcast), compiles it, has C2 compile every form (-Xbatch, no OSR) with
-XX:CompileCommand=print (hex, no hsdis needed), disassembles each with objdump and prints
the innermost loop's instruction count, FMAs, ymm stack accesses (spills), scalar stack
accesses and branches. With --time ROUNDS MILLIS it then times the forms interleaved with
an FMA loop (CPU time), each as a share of that peak.

  python3 tools/tile-probe/probe.py [--java PATH] [--time ROUNDS MILLIS] [--show FORM] [DIR]

Standalone (one species, no netspec classes), so its vectors need no exact-class casts.
"""
import os, re, subprocess, sys
# generate tile variants with different statement orders; stride ST for A
HEAD='''import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
public class G {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  static final int L = 8, NR = 16;
  static final float[] ZEROS = new float[NR];
'''
def tile(name, order, st, rows=6):
    s=f'''  static void {name}(int kc, float[] ap, int a0, float[] b, int b0, float[] c, int c0, int ldc, boolean first) {{
    float[] src = first ? ZEROS : c; int s0 = first ? 0 : c0; int sld = first ? 0 : ldc;
'''
    for r in range(rows):
        s+=f'    FloatVector c{r}0 = FloatVector.fromArray(S, src, s0 + {r}*sld), c{r}1 = FloatVector.fromArray(S, src, s0 + {r}*sld + L);\n'
    s+=f'    for (int p = 0; p < kc; p++) {{\n      int bp = b0 + p * NR; int xa = a0 + p * {st};\n'
    for op in order:
        s+='      '+op+'\n'
    s+='    }\n'
    for r in range(rows):
        s+=f'    c{r}0.intoArray(c, c0 + {r}*ldc); c{r}1.intoArray(c, c0 + {r}*ldc + L);\n'
    s+='  }\n'
    return s
def std(rows, perm=None, bfirst=True, swap=False):
    perm = perm or list(range(rows))
    ops=[]
    bl=['FloatVector b0v = FloatVector.fromArray(S, b, bp);','FloatVector b1v = FloatVector.fromArray(S, b, bp + L);']
    if bfirst: ops+=bl
    for i,r in enumerate(perm):
        ops.append(f'FloatVector x{r} = FloatVector.broadcast(S, ap[xa + {r}]);')
        if i==0 and not bfirst: ops+=bl
        f=[f'c{r}0 = x{r}.fma(b0v, c{r}0);', f'c{r}1 = x{r}.fma(b1v, c{r}1);']
        ops+= f[::-1] if swap else f
    return ops

def harness(names, stride_of, rows_of):
    s='''  static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();
  static int KC = 256, ROWS = 96, PANELS = 24, ldc = PANELS * NR;
  static float[] ap8 = new float[16 * 8 * 256 * 2], b = new float[PANELS * 256 * NR], c = new float[ROWS * PANELS * NR];
  static float sink;
  static float fmaPeak(int n) {
    FloatVector y = FloatVector.broadcast(S, 0.999f), z = FloatVector.broadcast(S, 0.001f);
    FloatVector a0 = FloatVector.broadcast(S, 1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
    for (int i = 0; i < n; i++) {
      a0 = a0.fma(y, z); a1 = a1.fma(y, z); a2 = a2.fma(y, z); a3 = a3.fma(y, z); a4 = a4.fma(y, z); a5 = a5.fma(y, z);
      a6 = a6.fma(y, z); a7 = a7.fma(y, z); a8 = a8.fma(y, z); a9 = a9.fma(y, z); a10 = a10.fma(y, z); a11 = a11.fma(y, z);
    }
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).lane(0);
  }
  static double run(int v) {
    int kc = KC;
    switch (v) {
'''
    for i,n in enumerate(names):
        st=stride_of[n]; r=rows_of[n]
        s+=f'      case {i}: {{ int t = ROWS / {r}; for (int q = 0; q < PANELS; q++) for (int i = 0; i < t; i++) {n}(kc, ap8, i * {st} * kc, b, q * kc * NR, c, i * {r} * ldc + q * NR, ldc, false); return 2.0 * t * {r} * PANELS * NR * kc; }}\n'
    s+='''      default: sink += fmaPeak(100000); return 2.0 * 100000 * 12 * 8;
    }
  }
  static final String[] NAMES = {%s};
  public static void main(String[] args) {
    int rounds = Integer.parseInt(args[0]); int millis = Integer.parseInt(args[1]);
    String[] sel = args[2].split(",");
    java.util.Random r = new java.util.Random(1);
    for (float[] x : new float[][] {ap8, b}) for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() - 0.5f;
    int all = sel.length + 1; int[] order = new int[all];
    for (int j = 0; j < sel.length; j++) order[j] = java.util.Arrays.asList(NAMES).indexOf(sel[j]);
    order[all - 1] = -1;
    for (int w = 0; w < 2; w++) for (int v : order) { long e = System.nanoTime() + 700_000_000L; while (System.nanoTime() < e) run(v); }
    if (rounds == 0) return;
    double[][] rate = new double[all][rounds];
    for (int rd = 0; rd < rounds; rd++) for (int j = 0; j < all; j++) {
      int idx = (j + rd) %% all; int v = order[idx];
      long end = System.nanoTime() + millis * 1_000_000L; double fl = 0; long t0 = MX.getCurrentThreadCpuTime();
      while (System.nanoTime() < end) fl += run(v);
      rate[idx][rd] = fl / (MX.getCurrentThreadCpuTime() - t0);
    }
    for (int j = 0; j < all; j++) {
      double[] share = new double[rounds];
      for (int rd = 0; rd < rounds; rd++) share[rd] = rate[j][rd] / rate[all - 1][rd];
      double[] rr = rate[j].clone(); java.util.Arrays.sort(rr); java.util.Arrays.sort(share);
      System.out.printf("%%-12s %%6.1f GFLOP/s  share %%.2f [%%.2f, %%.2f]%%n", j == all - 1 ? "peak" : sel[j], rr[rounds / 2], share[rounds / 2], share[rounds / 4], share[3 * rounds / 4]);
    }
  }
}
''' % ', '.join('"%s"'%n for n in names)
    return s

def tile2(name, st, rows=6, bfirst=False, perm=None, aoff2=None):
    # two steps per iteration; A stride st per step; q counts pairs
    perm = perm or list(range(rows))
    s=f'''  static void {name}(int kc, float[] ap, int a0, float[] b, int b0, float[] c, int c0, int ldc, boolean first) {{
    float[] src = first ? ZEROS : c; int s0 = first ? 0 : c0; int sld = first ? 0 : ldc;
'''
    for r in range(rows):
        s+=f'    FloatVector c{r}0 = FloatVector.fromArray(S, src, s0 + {r}*sld), c{r}1 = FloatVector.fromArray(S, src, s0 + {r}*sld + L);\n'
    s+=f'    int k2 = kc >> 1;\n    for (int q = 0; q < k2; q++) {{\n      int bp = b0 + q * 32; int xa = a0 + q * {2*st};\n'
    for h in range(2):
        bl=[f'FloatVector b0v{h} = FloatVector.fromArray(S, b, bp + {16*h});',f'FloatVector b1v{h} = FloatVector.fromArray(S, b, bp + {16*h} + L);']
        if bfirst: s+='      '+' '.join(bl)+'\n'
        for i,r in enumerate(perm):
            s+=f'      FloatVector x{h}{r} = FloatVector.broadcast(S, ap[xa + {h*st + r}]);\n'
            if i==0 and not bfirst: s+='      '+' '.join(bl)+'\n'
            s+=f'      c{r}0 = x{h}{r}.fma(b0v{h}, c{r}0); c{r}1 = x{h}{r}.fma(b1v{h}, c{r}1);\n'
    s+='    }\n'
    for r in range(rows):
        s+=f'    c{r}0.intoArray(c, c0 + {r}*ldc); c{r}1.intoArray(c, c0 + {r}*ldc + L);\n'
    s+='  }\n'
    return s
V={}
T={}
for st in (6,8):
  for bf in (True,False):
    n=f'u2_s{st}_{"b" if bf else "l"}'; V[n]=(st,6); T[n]=tile2(n,st,bfirst=bf)
V['s6_std']=(6,6); T['s6_std']=tile('s6_std',std(6),6,6)
V['s8_ln']=(8,6); T['s8_ln']=tile('s8_ln',std(6,bfirst=False),8,6)
V['s8_5r']=(8,5); T['s8_5r']=tile('s8_5r',std(5),8,5)
V['s8_5l']=(8,5); T['s8_5l']=tile('s8_5l',std(5,bfirst=False),8,5)
V['s4_std']=(4,4); T['s4_std']=tile('s4_std',std(4),4,4)
V['s4_l']=(4,4); T['s4_l']=tile('s4_l',std(4,bfirst=False),4,4)
V['u2_s4_l']=(4,4); T['u2_s4_l']=tile2('u2_s4_l',4,rows=4)
V['u2_s4_b']=(4,4); T['u2_s4_b']=tile2('u2_s4_b',4,rows=4,bfirst=True)

def disassemble(text, name):
    """Hex of the last C2 (non-OSR) compilation of `name` in a CompileCommand=print log."""
    lines = text.split('\n')
    starts = [i for i, l in enumerate(lines)
              if l.startswith('Compiled method (c2)') and name + ' (' in l and ' % ' not in l]
    if not starts:
        return []
    code, base = bytearray(), None
    for l in lines[starts[-1] + 1:]:
        if l.startswith('Compiled method') or l.startswith('[Stub Code]') \
                or l.startswith('[Exception Handler]'):
            break
        m = re.match(r'\s+0x([0-9a-f]+): ((?:[0-9a-f]{4} ?\|? ?)+)\s*$', l)
        if m:
            a = int(m.group(1), 16)
            base = a if base is None else base
            if a - base < len(code):
                continue
            code += bytes.fromhex(m.group(2).replace('|', '').replace(' ', ''))
    with open('code.bin', 'wb') as f:
        f.write(code)
    out = subprocess.run(['objdump', '-D', '-b', 'binary', '-mi386:x86-64',
                          '--adjust-vma=%#x' % base, 'code.bin'],
                         capture_output=True, text=True).stdout
    ins = []
    for l in out.split('\n'):
        p = l.split('\t')
        if len(p) >= 3:
            ins.append((int(p[0].strip().rstrip(':'), 16), p[2].strip()))
    return ins


def innermost_loop(ins):
    """The smallest backward-branch region holding 8 FMAs or more."""
    pos = {a: i for i, (a, _) in enumerate(ins)}
    best = None
    for j, (a, t) in enumerate(ins):
        m = re.match(r'j\w+\s+0x([0-9a-f]+)', t)
        if m:
            target = int(m.group(1), 16)
            if target <= a and target in pos:
                body = ins[pos[target]:j + 1]
                if sum(x.startswith('vfmadd') for _, x in body) >= 8 \
                        and (best is None or len(body) < len(best)):
                    best = body
    return best


def summary(body):
    if body is None:
        return 'no loop found'
    n = len(body)
    fma = sum(t.startswith('vfmadd') for _, t in body)
    spill = sum('rsp' in t and 'ymm' in t for _, t in body)
    stack = sum('rsp' in t and 'ymm' not in t for _, t in body)
    moves = sum(t.startswith('vmovq') or t.startswith('vmovd ') for _, t in body)
    branches = sum(t.startswith('j') for _, t in body)
    return (f'{n} instructions, {fma} FMAs, {spill} ymm stack, {stack} scalar stack, '
            f'{moves} gpr<->xmm, {branches} branches')


def main(args):
    java, timing, show = 'java', None, None
    while args and args[0].startswith('--'):
        if args[0] == '--java':
            java, args = args[1], args[2:]
        elif args[0] == '--time':
            timing, args = (args[1], args[2]), args[3:]
        elif args[0] == '--show':
            show, args = args[1], args[2:]
        else:
            sys.exit('usage: probe.py [--java PATH] [--time ROUNDS MILLIS] [--show FORM] [DIR]')
    work = args[0] if args else '/tmp/tile-probe'
    os.makedirs(work, exist_ok=True)
    os.chdir(work)
    src = HEAD + ''.join(T.values()) + harness(list(V), {n: v[0] for n, v in V.items()},
                                                 {n: v[1] for n, v in V.items()})
    with open('G.java', 'w') as f:
        f.write(src)
    javac = os.path.join(os.path.dirname(java), 'javac') if os.sep in java else 'javac'
    subprocess.run([javac, '--add-modules', 'jdk.incubator.vector', '-nowarn', '-d', '.',
                    'G.java'], check=True, capture_output=True)
    names = ','.join(V)
    log = subprocess.run([java, '--add-modules', 'jdk.incubator.vector', '-Xbatch',
                          '-XX:-UseOnStackReplacement', '-XX:+UnlockDiagnosticVMOptions',
                          '-XX:CompileCommand=print,G::*', '-cp', '.', 'G', '0', '0', names],
                         capture_output=True, text=True).stdout
    for n in V:
        body = innermost_loop(disassemble(log, 'G::' + n))
        print(f'{n:10s} {summary(body)}')
        if n == show and body:
            print('\n'.join('    ' + t for _, t in body))
    if timing:
        subprocess.run([java, '--add-modules', 'jdk.incubator.vector', '-cp', '.', 'G',
                        timing[0], timing[1], names])


if __name__ == '__main__':
    main(sys.argv[1:])
