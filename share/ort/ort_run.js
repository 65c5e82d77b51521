#!/usr/bin/env node
// ONNX Runtime oracle for hfexport: runs MODEL.onnx on tensors read from a safetensors file and
// writes every output to another safetensors file (the golden.safetensors container format).
//
//   node ort_run.js MODEL.onnx INPUTS.safetensors OUTPUTS.safetensors
//                   [--threads N] [--repeat R] [--warmup W] [--json]
//
// Only tensors of INPUTS whose names are model inputs are fed; the others (reference outputs,
// auxiliary tensors) are ignored, so a fixture's golden.safetensors can be passed as is.
// stdout: nothing, unless --repeat or --json is given; then exactly one JSON line:
//   {"runtime":"onnxruntime","median_ms":..,"min_ms":..,"repeat":R,"threads":N,"warmup":W,"load_ms":..}
// (timings exclude session creation; with --json and no --repeat, the line lists the outputs).
// Errors: one line on stderr, exit code 1.
//
// onnxruntime-node (pinned in package.json next to this file) is found by `require` resolution from,
// in order: $HFEXPORT_ORT_NODE_MODULES (a node_modules folder), this script's folder, the current folder.
'use strict';

const fs = require('fs');
const path = require('path');

class UsageError extends Error {}

// safetensors dtype <-> onnxruntime-node tensor type, element size and typed array.
const DTYPES = {
    F64: {ort: 'float64', size: 8, array: Float64Array},
    F32: {ort: 'float32', size: 4, array: Float32Array},
    F16: {ort: 'float16', size: 2, array: Uint16Array}, // raw bits; ORT accepts Uint16Array for float16
    I64: {ort: 'int64', size: 8, array: BigInt64Array},
    I32: {ort: 'int32', size: 4, array: Int32Array},
    I16: {ort: 'int16', size: 2, array: Int16Array},
    I8: {ort: 'int8', size: 1, array: Int8Array},
    U64: {ort: 'uint64', size: 8, array: BigUint64Array},
    U32: {ort: 'uint32', size: 4, array: Uint32Array},
    U16: {ort: 'uint16', size: 2, array: Uint16Array},
    U8: {ort: 'uint8', size: 1, array: Uint8Array},
    BOOL: {ort: 'bool', size: 1, array: Uint8Array},
};
const DTYPE_OF_ORT = Object.fromEntries(Object.entries(DTYPES).map(([k, v]) => [v.ort, k]));

function parse_args(argv) {
    const opts = {threads: 1, repeat: 0, warmup: null, json: false, files: []};
    const int_flag = (name, value, min) => {
        if (value === undefined || !/^\d+$/.test(value) || Number(value) < min)
            throw new UsageError(`option '${name}': expected an integer >= ${min}, got '${value ?? ''}'`);
        return Number(value);
    };
    for (let i = 0; i < argv.length; ++i) {
        const a = argv[i];
        if (a === '--threads') opts.threads = int_flag(a, argv[++i], 1);
        else if (a === '--repeat') opts.repeat = int_flag(a, argv[++i], 1);
        else if (a === '--warmup') opts.warmup = int_flag(a, argv[++i], 0);
        else if (a === '--json') opts.json = true;
        else if (a === '-h' || a === '--help') {
            process.stdout.write('usage: node ort_run.js MODEL.onnx INPUTS.safetensors OUTPUTS.safetensors ' +
                                 '[--threads N] [--repeat R] [--warmup W] [--json]\n');
            process.exit(0);
        } else if (a.startsWith('-')) throw new UsageError(`option '${a}': unknown`);
        else opts.files.push(a);
    }
    if (opts.files.length !== 3)
        throw new UsageError('usage: node ort_run.js MODEL.onnx INPUTS.safetensors OUTPUTS.safetensors ' +
                             '[--threads N] [--repeat R] [--warmup W] [--json]');
    if (opts.warmup === null) opts.warmup = opts.repeat > 0 ? 1 : 0;
    return opts;
}

function load_ort() {
    const tried = [];
    const env = process.env.HFEXPORT_ORT_NODE_MODULES;
    if (env) {
        const dir = path.resolve(env, 'onnxruntime-node');
        tried.push(dir);
        if (fs.existsSync(dir)) return require(dir);
    }
    for (const from of [__dirname, process.cwd()]) {
        tried.push(from);
        let resolved;
        try {
            resolved = require.resolve('onnxruntime-node', {paths: [from]});
        } catch (e) {
            continue;
        }
        return require(resolved);
    }
    throw new Error(`onnxruntime-node: not found (looked from ${tried.join(', ')}; ` +
                    'run scripts/install-ort.sh and set HFEXPORT_ORT_NODE_MODULES)');
}

function read_safetensors(file) {
    let buf;
    try {
        buf = fs.readFileSync(file);
    } catch (e) {
        throw new Error(`safetensors '${file}': cannot read (${e.code || e.message})`);
    }
    if (buf.length < 8) throw new Error(`safetensors '${file}': shorter than its 8-byte header length`);
    const n = buf.readBigUInt64LE(0);
    if (n > BigInt(buf.length - 8)) throw new Error(`safetensors '${file}': header length ${n} past end of file`);
    const data_start = 8 + Number(n);
    let header;
    try {
        header = JSON.parse(buf.subarray(8, data_start).toString('utf8'));
    } catch (e) {
        throw new Error(`safetensors '${file}': bad JSON header (${e.message})`);
    }
    const tensors = new Map();
    for (const [name, info] of Object.entries(header)) {
        if (name === '__metadata__') continue;
        const dt = DTYPES[info.dtype];
        if (!dt) throw new Error(`tensor '${name}': unsupported dtype ${info.dtype} (${file})`);
        const [b, e] = info.data_offsets;
        const count = info.shape.reduce((p, d) => p * d, 1);
        if (e - b !== count * dt.size || data_start + e > buf.length)
            throw new Error(`tensor '${name}': data_offsets [${b}, ${e}] do not fit shape [${info.shape}] ` +
                            `${info.dtype} (${file})`);
        // Copy into a fresh, aligned buffer: offsets in the file need not be element-aligned.
        const bytes = new Uint8Array(e - b);
        bytes.set(buf.subarray(data_start + b, data_start + e));
        tensors.set(name, {dtype: info.dtype, shape: info.shape, data: new dt.array(bytes.buffer)});
    }
    return tensors;
}

function write_safetensors(file, tensors) {
    const header = {};
    const chunks = [];
    let offset = 0;
    for (const [name, t] of tensors) {
        const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
        header[name] = {dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length]};
        chunks.push(bytes);
        offset += bytes.length;
    }
    let json = JSON.stringify(header);
    json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, Buffer.concat([len, Buffer.from(json), ...chunks]));
    fs.renameSync(tmp, file);
}

function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round3 = (x) => Math.round(x * 1000) / 1000;

async function main() {
    const opts = parse_args(process.argv.slice(2));
    const [model_file, inputs_file, outputs_file] = opts.files;
    const ort = load_ort();
    const inputs = read_safetensors(inputs_file);

    const t_load = process.hrtime.bigint();
    let session;
    try {
        session = await ort.InferenceSession.create(model_file, {
            intraOpNumThreads: opts.threads,
            interOpNumThreads: 1,
            executionMode: 'sequential',
            graphOptimizationLevel: 'all',
            logSeverityLevel: 3,
        });
    } catch (e) {
        throw new Error(`model '${model_file}': onnxruntime could not load it: ${e.message}`);
    }
    const load_ms = Number(process.hrtime.bigint() - t_load) / 1e6;

    const feeds = {};
    for (const name of session.inputNames) {
        const t = inputs.get(name);
        if (!t) throw new Error(`input '${name}': missing from ${inputs_file} (model ${model_file})`);
        feeds[name] = new ort.Tensor(DTYPES[t.dtype].ort, t.data, t.shape);
    }

    const run = async () => {
        try {
            return await session.run(feeds);
        } catch (e) {
            throw new Error(`model '${model_file}': onnxruntime run failed: ${e.message}`);
        }
    };
    const results = await run();
    const outputs = new Map();
    for (const name of session.outputNames) {
        const t = results[name];
        const dtype = DTYPE_OF_ORT[t.type];
        if (!dtype) throw new Error(`output '${name}': type ${t.type} cannot be written to safetensors`);
        outputs.set(name, {dtype, shape: Array.from(t.dims), data: t.data});
    }
    write_safetensors(outputs_file, outputs);

    if (opts.repeat > 0) {
        for (let i = 0; i < opts.warmup; ++i) await run();
        const times = [];
        for (let i = 0; i < opts.repeat; ++i) {
            const t0 = process.hrtime.bigint();
            await run();
            times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        process.stdout.write(JSON.stringify({
            runtime: 'onnxruntime', median_ms: round3(median(times)), min_ms: round3(Math.min(...times)),
            repeat: opts.repeat, threads: opts.threads, warmup: opts.warmup, load_ms: round3(load_ms),
        }) + '\n');
    } else if (opts.json) {
        process.stdout.write(JSON.stringify({
            runtime: 'onnxruntime', threads: opts.threads, load_ms: round3(load_ms),
            outputs: [...outputs].map(([name, t]) => ({name, dtype: t.dtype, shape: t.shape})),
        }) + '\n');
    }
    if (typeof session.release === 'function') await session.release();
}

main().then(
    () => process.exit(0),
    (e) => {
        const msg = String(e && e.message ? e.message : e).replace(/\s*\n\s*/g, ' ').trim();
        process.stderr.write(`ort_run: ${msg}\n`);
        process.exit(1);
    });
