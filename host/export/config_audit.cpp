#include "export/config_audit.h"

#include <hfx/onnx_config.h>
#include <map>
#include <spdlog/spdlog.h>

#include "core/error.h"
#include "export/exporter.h"

namespace hfx {

namespace {

// Keys of PretrainedConfig (transformers 4.40.2 configuration_utils.py, __init__
// and _get_generation_defaults) and of the model configs that never change what
// an exported graph computes, whatever their value.
const std::set<std::string>& any_value_keys() {
    static const std::set<std::string> keys = {
        // names, versions, dtypes, framework switches
        "model_type",
        "architectures",
        "transformers_version",
        "_name_or_path",
        "name_or_path",
        "_commit_hash",
        "finetuning_task",
        "tokenizer_class",
        "prefix",
        "torch_dtype",
        "use_bfloat16",
        "tf_legacy_loss",
        "torchscript",
        "xla_device",
        "attn_implementation",
        "_attn_implementation",
        "_attn_implementation_internal",
        "return_dict",
        "output_hidden_states",
        "output_attentions",
        "use_return_dict",
        "gradient_checkpointing",
        // past key/values are chosen by the feature (-with-past), not by the config (output_past: its 3.x name)
        "use_cache",
        "output_past",
        // the model type fixes it: the plugin builds what transformers' class for that type builds
        "is_encoder_decoder",
        // feed_forward_chunking computes the same feed-forward in slices of the sequence
        "chunk_size_feed_forward",
        // token ids (a plugin that uses one, e.g. as padding_idx, reads it)
        "bos_token_id",
        "eos_token_id",
        "pad_token_id",
        "sep_token_id",
        "decoder_start_token_id",
        "mask_token_id",
        "unk_token_id",
        "cls_token_id",
        "bos_index",
        "eos_index",
        "pad_index",
        "unk_index",
        "mask_index",
        // labels: the head's size is read through num_labels() / the weights' shapes
        "id2label",
        "label2id",
        "num_labels",
        "problem_type",
        // generation settings (read by `generate` from generation_config.json / config.json, not by the graph)
        "max_length",
        "min_length",
        "do_sample",
        "early_stopping",
        "num_beams",
        "num_beam_groups",
        "diversity_penalty",
        "temperature",
        "top_k",
        "top_p",
        "typical_p",
        "repetition_penalty",
        "length_penalty",
        "no_repeat_ngram_size",
        "encoder_no_repeat_ngram_size",
        "bad_words_ids",
        "num_return_sequences",
        "output_scores",
        "return_dict_in_generate",
        "forced_bos_token_id",
        "forced_eos_token_id",
        "remove_invalid_values",
        "exponential_decay_length_penalty",
        "suppress_tokens",
        "begin_suppress_tokens",
        "forced_decoder_ids",
        "max_new_tokens",
        "task_specific_params",
        "cache_implementation",
        // training only: weight initialisation, dropouts (any key naming one, below), layer drop, drop path
        "initializer_range",
        "initializer_factor",
        "init_std",
        "embed_init_std",
        "init_xavier_std",
        "logit_scale_init_value",
        "layerdrop",
        "encoder_layerdrop",
        "decoder_layerdrop",
        "drop_path_rate",
        "attn_pdrop",
        "resid_pdrop",
        "embd_pdrop",
        "summary_first_dropout",
        "summary_last_dropout",
        // mixture of experts: the auxiliary loss, and router noise applied only in training
        "output_router_logits",
        "router_aux_loss_coef",
        "router_jitter_noise",
        // Whisper: SpecAugment (training), the timestamp filter of generate()
        "apply_spec_augment",
        "mask_time_prob",
        "mask_time_length",
        "mask_time_min_masks",
        "mask_feature_prob",
        "mask_feature_length",
        "mask_feature_min_masks",
        "median_filter_width",
        // model classes no feature exports: *Backbone (out_features, ...), *ForSemanticSegmentation
        // (the auxiliary and pyramid heads); the mask token is used only with bool_masked_pos
        "out_features",
        "out_indices",
        "stage_names",
        "add_fpn",
        "reshape_hidden_states",
        "use_auxiliary_head",
        "auxiliary_channels",
        "auxiliary_concat_input",
        "auxiliary_loss_weight",
        "auxiliary_num_convs",
        "pool_scales",
        "semantic_loss_ignore_index",
        "use_mask_token",
        // Llama: pretraining_tp > 1 computes the same projections in slices
        "pretraining_tp",
        // Qwen2 (4.40.2): only Qwen2FlashAttention2 reads them; eager and sdpa apply sliding_window to every layer
        "use_sliding_window",
        "max_window_layers",
    };
    return keys;
}

// Keys that change nothing at the value PretrainedConfig gives them, and change
// the model otherwise (a decoder mask, cross-attention layers, pruned weights).
bool is_default_valued(const std::string& key, const nlohmann::json& value) {
    if (key == "is_decoder" || key == "add_cross_attention" || key == "tie_encoder_decoder") return value == false;
    if (key == "pruned_heads") return value.is_object() && value.empty();
    if (key == "cross_attention_hidden_size") return value.is_null();
    return false;
}

// Keys of one model type that its transformers classes (4.40.2; 4.44.0 for the types only it has) never read, where
// the same key matters for other types.
const std::map<std::string, std::set<std::string>>& model_type_keys() {
    // Llama and its copies compute rotary positions for any length; only the "dynamic"
    // rope_scaling (read with rope_scaling) uses max_position_embeddings.
    static const std::set<std::string> rotary = {"max_position_embeddings"};
    static const std::map<std::string, std::set<std::string>> keys = {
        {"llama", rotary},
        {"mistral", rotary},
        {"qwen2", rotary},
        // GemmaMLP uses hidden_activation; hidden_act stays in the config for older versions
        {"gemma", {"max_position_embeddings", "hidden_act"}},
        {"gemma2", rotary},
        {"starcoder2", rotary},
        {"mixtral", rotary},
        {"qwen2_moe", rotary},
        // Phi-3 (4.44.0): only Phi3FlashAttention2 applies sliding_window; the two lengths are read by
        // longrope (rope_scaling), where the plugin reads them
        {"phi3", {"sliding_window", "max_position_embeddings", "original_max_position_embeddings"}},
        // GPTBigCode: both only change how a half-precision softmax is upcast; the graph computes in float32
        {"gpt_bigcode", {"attention_softmax_in_fp32", "scale_attention_softmax_in_fp32"}},
    };
    return keys;
}

// Features whose graph has an LM head: only there can tie_word_embeddings matter.
bool has_lm_head(const std::string& feature) {
    std::string task = task_of(feature);
    return task == "masked-lm" || task == "causal-lm" || task == "seq2seq-lm" || task == "speech2seq-lm" ||
           task == "masked-im";
}

std::string escaped(const std::string& key) {  // RFC 6901
    std::string out;
    for (char ch : key) out += ch == '~' ? "~0" : ch == '/' ? "~1" : std::string(1, ch);
    return out;
}

bool read_inside(const std::set<std::string>& reads, const std::string& pointer) {
    auto it = reads.lower_bound(pointer + "/");
    return it != reads.end() && it->compare(0, pointer.size() + 1, pointer + "/") == 0;
}

void walk(const nlohmann::json& obj, const std::string& pointer, const std::string& shown,
          const std::set<std::string>& reads, std::vector<std::string>& out) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        std::string p = pointer + "/" + escaped(it.key());
        if (reads.count(p) || is_bookkeeping_key(it.key(), it.value())) continue;
        if (read_inside(reads, p)) {
            if (it.value().is_object()) walk(it.value(), p, shown + it.key() + "/", reads, out);
            continue;
        }
        out.push_back(shown + it.key());
    }
}

}  // namespace

bool is_bookkeeping_key(const std::string& key, const nlohmann::json& value) {
    if (any_value_keys().count(key) || is_default_valued(key, value)) return true;
    return key.find("dropout") != std::string::npos;  // hidden_dropout_prob, classifier_dropout, ...
}

std::vector<std::string> unread_config_keys(const nlohmann::json& config, const std::set<std::string>& reads) {
    std::vector<std::string> out;
    if (config.is_object()) walk(config, "", "", reads, out);
    return out;
}

std::set<std::string> audited_reads(const std::vector<const BuiltModel*>& builds) {
    std::set<std::string> reads;
    bool lm_head = false;
    for (const BuiltModel* b : builds) {
        reads.insert(b->config_reads.begin(), b->config_reads.end());
        lm_head |= has_lm_head(b->feature);
        auto it = model_type_keys().find(b->model_type);
        if (it != model_type_keys().end())
            for (const std::string& k : it->second) reads.insert("/" + k);
    }
    if (!lm_head) reads.insert("/tie_word_embeddings");  // it ties the LM head's weights, absent here
    return reads;
}

std::string unread_keys_message(const nlohmann::json& config, const std::vector<const BuiltModel*>& builds) {
    if (builds.empty()) return "";
    std::vector<std::string> keys = unread_config_keys(config, audited_reads(builds));
    if (keys.empty()) return "";
    const std::string& plugin = builds.front()->plugin_name;
    std::string list;
    for (const std::string& k : keys) list += (list.empty() ? "" : ", ") + k;
    return "config.json: keys not read by plugin '" + plugin + "': " + list +
           " (the export may not honour them; --strict makes this an error)";
}

void check_config_reads(const nlohmann::json& config, const std::vector<const BuiltModel*>& builds, bool strict) {
    std::string msg = unread_keys_message(config, builds);
    if (msg.empty()) return;
    if (strict) fail_config(msg);
    spdlog::warn("{}", msg);
}

}  // namespace hfx
