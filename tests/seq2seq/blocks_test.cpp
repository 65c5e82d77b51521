// The pieces under the seq2seq exports: the fixed sinusoidal table the SDK
// computes for Marian (whose checkpoints do not save it) against the one a
// Pegasus checkpoint stores (same formula in transformers), and the rules by
// which a reference file feeds the graphs of a split export.
#include <gtest/gtest.h>

#include <hfx/blocks/seq2seq.h>

#include "checkpoint/checkpoint.h"
#include "support/golden.h"
#include "validate/reference_match.h"

namespace hfx::test {
namespace {

TEST(Seq2SeqBlocks, SinusoidalTableEqualsPegasusStoredPositions) {
    Checkpoint ckpt = Checkpoint::open(std::string(HFX_FIXTURES_DIR) + "/pegasus/seq2seq-lm");
    for (const char* name : {"model.encoder.embed_positions.weight", "model.decoder.embed_positions.weight"}) {
        Tensor stored = ckpt.tensor(name).to_f32();
        std::vector<float> table = sinusoidal_table(stored.shape[0], stored.shape[1]);
        Tensor computed = Tensor::from(DType::f32, stored.shape, table);
        EXPECT_LE(max_abs_diff(computed, stored), 1e-6) << name;
    }
}

Tensor ids(Shape s) { return Tensor::empty(DType::i64, std::move(s)); }
Tensor floats(Shape s) { return Tensor::empty(DType::f32, std::move(s)); }

TEST(ReferenceMatch, NoPastFixtureFeedsEncoderAndDecoderGraphs) {
    std::map<std::string, Tensor> file = {{"input_ids", ids({2, 7})},
                                          {"attention_mask", ids({2, 7})},
                                          {"decoder_input_ids", ids({2, 5})},
                                          {"logits", floats({2, 5, 9})},
                                          {"encoder_last_hidden_state", floats({2, 7, 4})}};
    auto enc = match_reference(file, {"input_ids", "attention_mask"}, {"last_hidden_state"}, "encoder");
    ASSERT_TRUE(enc);
    EXPECT_EQ(enc->output_names.at("last_hidden_state"), "encoder_last_hidden_state");
    auto dec = match_reference(file, {"input_ids", "encoder_attention_mask", "encoder_hidden_states"},
                               {"logits", "present.0.decoder.key"}, "decoder");
    ASSERT_TRUE(dec);
    EXPECT_EQ(dec->feeds.at("input_ids").shape, (Shape{2, 5}));  // the decoder's ids
    EXPECT_EQ(dec->feeds.at("encoder_hidden_states").shape, (Shape{2, 7, 4}));
    EXPECT_EQ(dec->output_names.size(), 1u);  // logits only
    auto single = match_reference(file, {"input_ids", "attention_mask", "decoder_input_ids"},
                                  {"logits", "encoder_last_hidden_state"}, "");
    ASSERT_TRUE(single);
    EXPECT_EQ(single->feeds.at("input_ids").shape, (Shape{2, 7}));  // the encoder's ids
}

TEST(ReferenceMatch, DecoderStepFeedsOnlyTheGraphTakingThePast) {
    std::map<std::string, Tensor> file = {{"encoder_hidden_states", floats({2, 7, 4})},
                                          {"encoder_attention_mask", ids({2, 7})},
                                          {"decoder_input_ids", ids({2, 1})},
                                          {"past_key_values.0.decoder.key", floats({2, 1, 5, 4})},
                                          {"logits", floats({2, 1, 9})}};
    std::string why;
    EXPECT_FALSE(match_reference(file, {"input_ids", "encoder_attention_mask", "encoder_hidden_states"}, {"logits"},
                                 "decoder", &why));
    EXPECT_NE(why.find("past_key_values.0.decoder.key"), std::string::npos) << why;
    EXPECT_FALSE(match_reference(file, {"input_ids", "attention_mask"}, {"last_hidden_state"}, "encoder", &why));
    EXPECT_NE(why.find("input 'input_ids'"), std::string::npos) << why;
    EXPECT_TRUE(match_reference(file, {"input_ids", "encoder_attention_mask", "past_key_values.0.decoder.key"},
                                {"logits"}, "decoder-with-past"));
}

}  // namespace
}  // namespace hfx::test
