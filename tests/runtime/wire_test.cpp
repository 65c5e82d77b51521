// strip_initializer_raw_data: the loader parses this copy, so it must keep every
// field but the initializers' raw_data, and re-encode the enclosing lengths.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "onnx/wire.h"

using namespace hfx;

TEST(Wire, StripsOnlyInitializerRawData) {
    onnx::ModelProto m;
    m.set_producer_name("p");
    m.add_opset_import()->set_version(17);
    onnx::GraphProto* g = m.mutable_graph();
    g->set_name("g");
    for (int i = 0; i < 3; ++i) {
        onnx::TensorProto* t = g->add_initializer();
        t->set_name("w" + std::to_string(i));
        t->set_data_type(1);
        t->add_dims(200 * (i + 1));
        t->set_raw_data(std::string(size_t(800 * (i + 1)), char('a' + i)));  // > 127: multi-byte lengths
    }
    g->mutable_initializer(2)->clear_raw_data();
    g->mutable_initializer(2)->add_float_data(1.5f);
    onnx::NodeProto* n = g->add_node();
    n->set_op_type("Constant");
    onnx::TensorProto* ct = n->add_attribute()->mutable_t();
    ct->set_raw_data("keep");  // not an initializer: stays
    std::string bytes = m.SerializeAsString();
    auto* data = reinterpret_cast<const unsigned char*>(bytes.data());

    std::vector<ByteSpan> spans;
    ASSERT_TRUE(find_initializer_raw_data(data, bytes.size(), spans));
    ASSERT_EQ(spans.size(), 3u);
    EXPECT_EQ(spans[1].size, 1600u);
    EXPECT_EQ(bytes.substr(spans[1].offset, 3), "bbb");
    EXPECT_FALSE(spans[2].present);

    std::vector<unsigned char> stripped;
    ASSERT_TRUE(strip_initializer_raw_data(data, bytes.size(), stripped));
    EXPECT_LT(stripped.size() + 2400, bytes.size());
    onnx::ModelProto back;
    ASSERT_TRUE(back.ParseFromArray(stripped.data(), int(stripped.size())));
    EXPECT_EQ(back.producer_name(), "p");
    EXPECT_EQ(back.graph().name(), "g");
    ASSERT_EQ(back.graph().initializer_size(), 3);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(back.graph().initializer(i).name(), "w" + std::to_string(i));
        EXPECT_EQ(back.graph().initializer(i).dims(0), 200 * (i + 1));
        EXPECT_FALSE(back.graph().initializer(i).has_raw_data());
    }
    EXPECT_EQ(back.graph().initializer(2).float_data(0), 1.5f);
    EXPECT_EQ(back.graph().node(0).attribute(0).t().raw_data(), "keep");

    EXPECT_FALSE(strip_initializer_raw_data(data, bytes.size() - 5, stripped));  // truncated
}
