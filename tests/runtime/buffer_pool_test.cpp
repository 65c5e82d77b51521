#include <gtest/gtest.h>

#include "runtime/buffer_pool.h"

using namespace hfx;

TEST(BufferPool, ReusesFreedBuffersAndReleasesUnusedOnes) {
    rt::BufferPool pool;
    void* first = nullptr;
    {
        rt::BufferPoolScope scope(&pool);
        Tensor a = Tensor::empty(DType::f32, {100});
        first = a.data;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % 64, 0u);
    }
    pool.end_run();  // run 0: `a` came back during it, kept
    {
        rt::BufferPoolScope scope(&pool);
        Tensor b = Tensor::empty(DType::f32, {100});  // same size: the same buffer, zero-filled again
        EXPECT_EQ(b.data, first);
        for (int i = 0; i < 100; ++i) EXPECT_EQ(b.ptr<float>()[i], 0.f);
        Tensor c = Tensor::uninitialized(DType::i64, {7});
        EXPECT_NE(c.data, first);
    }
    EXPECT_EQ(pool.stats().heap_allocations, 2);
    EXPECT_EQ(pool.stats().reuses, 1);
    pool.end_run();  // run 1: both came back during it
    pool.end_run();  // run 2 reused nothing: released
    EXPECT_EQ(pool.stats().cached_bytes, 0u);
    // Outside a scope the heap is used; a buffer outliving its pool is freed by its deleter.
    Tensor d;
    {
        rt::BufferPool p2;
        rt::BufferPoolScope scope(&p2);
        d = Tensor::empty(DType::f32, {3});
    }
    EXPECT_EQ(d.numel(), 3);
}
