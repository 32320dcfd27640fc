// A pfmsim plugin: a plain object, importing nothing. Its one strategy, `my-kmalloc`, takes a
// kernel buffer per call with kmalloc and frees it after the copy back, as the built-in
// `kmalloc` strategy does (the ArgBufferStrategy interface, specification "v1").
export default {
  specificationVersion: 1,
  name: 'my-kmalloc',
  strategies: {
    'my-kmalloc': () => ({
      specificationVersion: 'v1',
      name: 'my-kmalloc',
      description: 'kmalloc per call, from a plugin',
      pinnedFormula: '0 between calls',
      stackFootprint: '0 B',
      frameBytes: () => 0,
      acquire(call) {
        if (call.bytes > call.limit) return -7; // E2BIG
        const buf = call.k.mem.kmalloc(call.t, call.bytes, 0xd0, call.slot.owner, call.site);
        if (buf === 0) return -12; // ENOMEM
        call.buf = buf;
        call.how = 1;
        return buf;
      },
      release(call) {
        if (call.how === 1) call.k.mem.kfree(call.t, call.buf);
        call.buf = 0;
        call.how = 0;
      },
    }),
  },
};
