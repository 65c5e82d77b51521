#!/usr/bin/env node
// Greedy decoding in ONNX Runtime with the KV cache, the peer of `hfexport generate`:
// the prompt runs as one step with an empty past, then one token per step.
//
//   node bench/ort_generate.js MODEL.onnx --input-ids 1,2,3 --max-new-tokens N
//        [--threads T] [--kv-heads H --head-dim D]   (default: from config.json beside the model)
//
// Prints one JSON line: {"runtime":"onnxruntime","tokens":[...],"steps":N,"seconds":..,"tokens_per_second":..}
// The cache layout is [batch, kv_heads, seq, head_dim] (past_key_values.{i}.key|value -> present.{i}.*).
'use strict';
const fs = require('fs');
const path = require('path');

function args(argv) {
    const o = {ids: null, max: 20, threads: 1, heads: 0, headDim: 0, model: null};
    for (let i = 0; i < argv.length; ++i) {
        const a = argv[i];
        if (a === '--input-ids') o.ids = argv[++i].split(',').map(Number);
        else if (a === '--max-new-tokens') o.max = Number(argv[++i]);
        else if (a === '--threads') o.threads = Number(argv[++i]);
        else if (a === '--kv-heads') o.heads = Number(argv[++i]);
        else if (a === '--head-dim') o.headDim = Number(argv[++i]);
        else o.model = a;
    }
    if (!o.model || !o.ids) throw new Error('usage: ort_generate.js MODEL.onnx --input-ids 1,2,3 [--max-new-tokens N]');
    if (!o.heads) {
        const cfg = JSON.parse(fs.readFileSync(path.join(path.dirname(o.model), 'config.json'), 'utf8'));
        const hidden = cfg.n_embd ?? cfg.hidden_size, heads = cfg.n_head ?? cfg.num_attention_heads;
        o.heads = cfg.num_key_value_heads ?? heads;
        o.headDim = cfg.head_dim ?? hidden / heads;
    }
    return o;
}

async function main() {
    const o = args(process.argv.slice(2));
    const modules = process.env.HFEXPORT_ORT_NODE_MODULES;
    const ort = require(modules ? path.join(modules, 'onnxruntime-node') : 'onnxruntime-node');
    const session = await ort.InferenceSession.create(o.model, {intraOpNumThreads: o.threads, interOpNumThreads: 1,
                                                                 graphOptimizationLevel: 'all'});
    const i64 = (values, dims) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
    const layers = session.inputNames.filter(n => /^past_key_values\.\d+\.key$/.test(n)).length;
    let past = {};
    for (let l = 0; l < layers; ++l)
        for (const kv of ['key', 'value'])
            past[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, o.heads, 0, o.headDim]);
    let fresh = o.ids.slice(), total = 0;
    const tokens = [];
    const t0 = process.hrtime.bigint();
    for (let step = 0; step < o.max; ++step) {
        const feeds = {input_ids: i64(fresh, [1, fresh.length]), ...past};
        feeds.attention_mask = i64(new Array(total + fresh.length).fill(1), [1, total + fresh.length]);
        if (session.inputNames.includes('position_ids'))
            feeds.position_ids = i64(fresh.map((_, k) => total + k), [1, fresh.length]);
        const out = await session.run(feeds);
        const logits = out.logits, vocab = logits.dims[2], last = logits.dims[1] - 1;
        let best = 0;
        for (let v = 1; v < vocab; ++v) if (logits.data[last * vocab + v] > logits.data[last * vocab + best]) best = v;
        tokens.push(best);
        total += fresh.length;
        fresh = [best];
        for (let l = 0; l < layers; ++l)
            for (const kv of ['key', 'value']) past[`past_key_values.${l}.${kv}`] = out[`present.${l}.${kv}`];
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(JSON.stringify({runtime: 'onnxruntime', tokens: [tokens], steps: o.max, seconds,
                                tokens_per_second: o.max / seconds, threads: o.threads}));
}

main().catch(e => { process.stderr.write(`ort_generate: ${e.message.split('\n')[0]}\n`); process.exit(1); });
