// The selftest harness's helpers: which axes count batch entries (CLIP's two
// batches, Bloom's fused batch*heads) and the eos-closed dummy ids.
#include <gtest/gtest.h>

#include <vector>

#include "validate/dummy_inputs.h"
#include "validate/selftest_util.h"

namespace hfx::test {
namespace {

Dim sym(const char* s) { return Dim{-1, s}; }

TEST(SelftestHarness, BatchAxesByNameAndProduct) {
    DimBindings d{{"batch", 2}, {"text_batch", 2}};
    int64_t per = 0;
    EXPECT_TRUE(selftest::is_batch_axis(sym("batch"), d, &per));
    EXPECT_EQ(per, 1);
    EXPECT_TRUE(selftest::is_batch_axis(sym("image_batch"), d, &per));
    EXPECT_TRUE(selftest::is_batch_axis(sym("batch*4"), d, &per));
    EXPECT_EQ(per, 4);
    EXPECT_FALSE(selftest::is_batch_axis(sym("sequence"), d, &per));
    EXPECT_FALSE(selftest::is_batch_axis(sym("past_sequence + sequence"), d, &per));
    EXPECT_FALSE(selftest::is_batch_axis(Dim{4, ""}, d, &per));
}

TEST(SelftestHarness, BatchEntriesOfAFusedAxisAreBatchMajor) {
    // [batch*2, 1, 0]: rows 2..3 are entry 1, even with an empty sequence.
    std::vector<float> v{0, 1, 2, 3};
    Tensor t = Tensor::from(DType::f32, {4, 1}, v);
    DimBindings d{{"batch", 2}};
    Tensor e = selftest::batch_entries(t, {sym("batch*2"), Dim{1, ""}}, d, 1, 2);
    ASSERT_EQ(e.shape, (Shape{2, 1}));
    EXPECT_EQ(e.ptr<float>()[0], 2.f);
    EXPECT_EQ(e.ptr<float>()[1], 3.f);
    Tensor empty = Tensor::empty(DType::f32, {4, 3, 0});
    EXPECT_EQ(selftest::batch_entries(empty, {sym("batch*2"), Dim{3, ""}, sym("past_sequence")}, d, 1, 2).shape,
              (Shape{2, 3, 0}));
    // CLIP: [image_batch, text_batch] takes the entry on both axes.
    Tensor logits = Tensor::from(DType::f32, {2, 2}, std::vector<float>{0, 1, 2, 3});
    Tensor one = selftest::batch_entries(logits, {sym("image_batch"), sym("text_batch")}, d, 1, 2);
    ASSERT_EQ(one.shape, (Shape{1, 1}));
    EXPECT_EQ(one.ptr<float>()[0], 3.f);
}

TEST(SelftestHarness, IdsEndingCloseEveryRowOnce) {
    Model m;
    m.inputs.push_back(
        ValueInfo{"input_ids", DType::i64, {sym("batch"), sym("sequence")}, DummySpec{DummySpec::IdsEnding, 0, 3, 2}});
    m.inputs.push_back(
        ValueInfo{"attention_mask", DType::i64, {sym("batch"), sym("sequence")}, DummySpec{DummySpec::Mask}});
    auto in = make_dummy_inputs(m, {{"batch", 3}, {"sequence", 6}});
    const Tensor& ids = in.at("input_ids");
    const Tensor& mask = in.at("attention_mask");
    for (int64_t r = 0; r < 3; ++r) {
        int64_t valid = 0, eos = 0, at = -1;
        for (int64_t c = 0; c < 6; ++c) {
            valid += mask.ptr<int64_t>()[r * 6 + c];
            if (ids.ptr<int64_t>()[r * 6 + c] == 2) ++eos, at = c;
        }
        EXPECT_EQ(eos, 1) << "row " << r;
        EXPECT_EQ(at, valid - 1) << "row " << r;
    }
}

}  // namespace
}  // namespace hfx::test
