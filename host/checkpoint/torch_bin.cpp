// pytorch_model.bin: a torch.save zip archive. <top>/data.pkl pickles a dict
// name -> tensor; each tensor is _rebuild_tensor_v2(storage, offset, size,
// stride, ...) and each storage a persistent id ('storage', <Type>Storage,
// key, location, numel) whose bytes are the stored entry <top>/data/<key>.
// Tensors become views into that entry; nothing is executed or copied.
#include <set>

#include "checkpoint/pickle.h"
#include "checkpoint/weight_set.h"
#include "checkpoint/zip_reader.h"
#include "core/checked.h"
#include "core/error.h"

namespace hfx {
namespace {

using Kind = PickleValue::Kind;

struct StorageType {
    const char* name;
    DType dtype;
};
constexpr StorageType storage_types[] = {
    {"FloatStorage", DType::f32}, {"HalfStorage", DType::f16},     {"BFloat16Storage", DType::bf16},
    {"LongStorage", DType::i64},  {"IntStorage", DType::i32},      {"DoubleStorage", DType::f64},
    {"ByteStorage", DType::u8},   {"BoolStorage", DType::boolean}, {"ShortStorage", DType::i16},
    {"CharStorage", DType::i8},
};

constexpr const char* rebuild_tensor = "torch._utils._rebuild_tensor_v2";
constexpr const char* rebuild_parameter = "torch._utils._rebuild_parameter";
constexpr const char* ordered_dict = "collections.OrderedDict";

DType storage_dtype(const std::string& global) {
    for (const auto& t : storage_types)
        if (global == std::string("torch.") + t.name) return t.dtype;
    return DType::undefined;
}

struct Storage {
    DType dtype;
    std::string key;
    int64_t numel;
};

struct PendingTensor {
    size_t storage;
    int64_t offset;
    Shape shape, stride;
};

// The allow-list: dicts, tensor rebuilds and storages; anything else throws.
struct TorchHooks : PickleHooks {
    std::vector<Storage> storages;
    std::vector<PendingTensor> tensors;

    void check_global(const std::string& module, const std::string& name) override {
        std::string full = module + "." + name;
        if (full == ordered_dict || full == rebuild_tensor || full == rebuild_parameter ||
            storage_dtype(full) != DType::undefined)
            return;
        fail("global '", full, "' is not allowed");
    }

    static const PickleValue& expect(const Pickle& p, PickleRef r, Kind kind, const char* what) {
        if (p[r].kind != kind)
            fail(what, " is a ", pickle_kind_name(p[r].kind), ", expected a ", pickle_kind_name(kind));
        return p[r];
    }

    static Shape ints(const Pickle& p, PickleRef r, const char* what) {
        Shape out;
        for (PickleRef item : expect(p, r, Kind::tuple, what).items)
            out.push_back(expect(p, item, Kind::integer, what).i);
        return out;
    }

    PickleRef persistent_load(Pickle& p, PickleRef pid) override {
        const auto& t = expect(p, pid, Kind::tuple, "persistent id").items;
        if (t.size() != 5 || p[t[0]].kind != Kind::string || p[t[0]].s != "storage")
            fail("persistent id is not ('storage', type, key, location, numel)");
        DType dtype = p[t[1]].kind == Kind::global ? storage_dtype(p[t[1]].s) : DType::undefined;
        if (dtype == DType::undefined) fail("persistent id does not name a storage type");
        Storage s{dtype, expect(p, t[2], Kind::string, "storage key").s,
                  expect(p, t[4], Kind::integer, "storage size").i};
        if (s.numel < 0) fail("storage '", s.key, "' has a negative size");
        storages.push_back(std::move(s));
        return p.add(PickleValue::text(Kind::object, "storage", int64_t(storages.size() - 1)));
    }

    PickleRef reduce(Pickle& p, PickleRef fn, PickleRef args_ref) override {
        if (p[fn].kind != Kind::global) fail("REDUCE of a ", pickle_kind_name(p[fn].kind));
        const std::string fn_name = p[fn].s;
        const auto args = p[args_ref].items;
        if (fn_name == ordered_dict) {
            if (!args.empty()) fail("OrderedDict called with arguments");
            return p.add(PickleValue::of(Kind::dict));
        }
        if (fn_name == rebuild_parameter) {
            if (args.empty() || p[args[0]].kind != Kind::object || p[args[0]].s != "tensor")
                fail("_rebuild_parameter of something other than a tensor");
            return args[0];
        }
        if (fn_name == rebuild_tensor) {
            if (args.size() < 4) fail("_rebuild_tensor_v2 needs at least 4 arguments");
            const auto& storage = p[args[0]];
            if (storage.kind != Kind::object || storage.s != "storage")
                fail("_rebuild_tensor_v2 of something other than a storage");
            PendingTensor t{size_t(storage.i), expect(p, args[1], Kind::integer, "storage offset").i,
                            ints(p, args[2], "tensor size"), ints(p, args[3], "tensor stride")};
            tensors.push_back(std::move(t));
            return p.add(PickleValue::text(Kind::object, "tensor", int64_t(tensors.size() - 1)));
        }
        fail("global '", fn_name, "' cannot be called");
    }

    void build(Pickle& p, PickleRef object, PickleRef state) override {
        // OrderedDict state (e.g. the _metadata attribute of a state_dict)
        // says nothing about the tensors, so it is dropped.
        if (p[object].kind != Kind::dict) fail("BUILD on a ", pickle_kind_name(p[object].kind));
    }
};

struct Resolver {
    const ZipArchive& zip;
    const std::string& top;
    const TorchHooks& hooks;

    [[noreturn]] void bad(const std::string& name, const std::string& what) const {
        fail("pickle '", zip.path(), "': tensor '", name, "': ", what);
    }

    WeightRef resolve(const std::string& name, const PendingTensor& t) const {
        const Storage& s = hooks.storages[t.storage];
        size_t elem = dtype_size(s.dtype);
        for (int64_t d : t.shape)
            if (d < 0) bad(name, "negative dimension in size " + shape_str(t.shape));
        if (t.stride.size() != t.shape.size())
            bad(name, "stride " + shape_str(t.stride) + " does not match size " + shape_str(t.shape));
        // Row-major contiguous, ignoring the stride of size-1 dims (torch leaves them arbitrary).
        int64_t numel = 1, expected = 1;
        size_t nbytes = 0;
        if (!checked_nbytes(t.shape, elem, &nbytes)) bad(name, "size " + shape_str(t.shape) + " is too large");
        bool contiguous = true;
        for (size_t i = t.shape.size(); i-- > 0;) {
            if (t.shape[i] != 1 && t.stride[i] != expected) contiguous = false;
            expected *= t.shape[i];  // (cannot overflow: the whole product was checked)
        }
        numel = expected;
        if (!contiguous && numel > 0)
            bad(name, "stride " + shape_str(t.stride) + " is not contiguous for size " + shape_str(t.shape) +
                          "; only contiguous tensors can be mapped");
        int64_t end;
        if (t.offset < 0 || __builtin_add_overflow(t.offset, numel, &end) || end > s.numel)
            bad(name, "elements [" + std::to_string(t.offset) + ", " + std::to_string(t.offset + numel) +
                          ") exceed storage '" + s.key + "' of " + std::to_string(s.numel));

        std::string entry_name = top + "/data/" + s.key;
        const ZipEntry* entry = zip.find(entry_name);
        if (!entry) bad(name, "storage entry '" + entry_name + "' is missing from the archive");
        uint64_t storage_bytes;
        if (__builtin_mul_overflow(uint64_t(s.numel), uint64_t(elem), &storage_bytes) || entry->size < storage_bytes)
            bad(name, "storage entry '" + entry_name + "' holds " + std::to_string(entry->size) +
                          " bytes, fewer than " + std::to_string(s.numel) + " " + dtype_name(s.dtype));
        WeightRef ref;
        ref.name = name;
        ref.dtype = s.dtype;
        ref.shape = t.shape;
        ref.data = zip.data(*entry) + size_t(t.offset) * elem;
        ref.nbytes = nbytes;
        ref.file = zip.path();
        return ref;
    }
};

// torch.save writes <top>/data.pkl where <top> is the archive name; it varies.
std::string find_top_folder(const ZipArchive& zip) {
    std::string top;
    for (const auto& e : zip.entries()) {
        auto slash = e.name.find('/');
        if (slash == std::string::npos || e.name.compare(slash, std::string::npos, "/data.pkl") != 0) continue;
        if (!top.empty()) fail("zip '", zip.path(), "': more than one data.pkl in the archive");
        top = e.name.substr(0, slash);
    }
    if (top.empty()) fail("zip '", zip.path(), "': no <folder>/data.pkl entry (not a torch.save archive)");
    return top;
}

}  // namespace

WeightSet load_torch_bin_weights(const std::string& path) {
    WeightSet set;
    set.files.push_back(MappedFile::open(path));
    ZipArchive zip(set.files.back());
    std::string top = find_top_folder(zip);
    if (const ZipEntry* order = zip.find(top + "/byteorder")) {
        std::string value(reinterpret_cast<const char*>(zip.data(*order)), order->size);
        if (value != "little") fail("pickle '", path, "': byteorder '", value, "' is not supported");
    }
    const ZipEntry& pkl = *zip.find(top + "/data.pkl");
    TorchHooks hooks;
    Pickle p;
    PickleRef root = unpickle(zip.data(pkl), pkl.size, path, pkl.name, hooks, p);
    if (p[root].kind != Kind::dict)
        fail("pickle '", path, "': top-level object is a ", pickle_kind_name(p[root].kind),
             ", expected a dict of tensors");

    Resolver resolver{zip, top, hooks};
    const auto& items = p[root].items;
    for (size_t i = 0; i + 1 < items.size(); i += 2) {
        const PickleValue& key = p[items[i]];
        const PickleValue& value = p[items[i + 1]];
        if (key.kind != Kind::string)
            fail("pickle '", path, "': a key of the state dict is a ", pickle_kind_name(key.kind));
        if (value.kind != Kind::object || value.s != "tensor")
            fail("pickle '", path, "': entry '", key.s, "' is a ", pickle_kind_name(value.kind), ", not a tensor");
        if (set.weights.count(key.s))
            fail("pickle '", path, "': tensor '", key.s, "': appears twice in the state dict");
        set.weights[key.s] = LoadedWeight{resolver.resolve(key.s, hooks.tensors[size_t(value.i)]), set.files.back()};
    }
    return set;
}

}  // namespace hfx
