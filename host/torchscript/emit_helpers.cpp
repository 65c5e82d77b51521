// Helper methods emitted with a TorchScript module, for the ONNX ops whose
// semantics torch does not have as one call. Each is emitted only when the
// forward (or another helper) calls it. Shapes travel as int64 tensors, as in
// ONNX, and become List[int] only inside these helpers, so nothing is fixed
// at export time. Data types are torch's ScalarType codes (4 = int64): the
// C++ TorchScript compiler has no `torch.int64` name.
#include "torchscript/emit_internal.h"

namespace hfx::ts {

const std::map<std::string, HelperSource>& helper_sources() {
    static const std::map<std::string, HelperSource> helpers = {
        {"hfx_ints",
         {R"(
def hfx_ints(self, t: Tensor) -> List[int]:
    values: List[int] = t.reshape(-1).tolist()
    return values
)",
          {}}},
        {"hfx_axes",
         {R"(
def hfx_axes(self, x: Tensor, axes: List[int]) -> List[int]:
    if len(axes) > 0:
        return axes
    return list(range(x.dim()))
)",
          {}}},
        {"hfx_shape",
         {R"(
def hfx_shape(self, x: Tensor, start: int, end: Optional[int]) -> Tensor:
    dims = x.size()
    stop = len(dims) if end is None else end
    return torch.tensor(dims[start:stop], dtype=4)
)",
          {}}},
        {"hfx_div",
         {R"(
def hfx_div(self, a: Tensor, b: Tensor) -> Tensor:
    if a.is_floating_point():
        return torch.div(a, b)
    return torch.div(a, b, rounding_mode="trunc")
)",
          {}}},
        {"hfx_pow",
         {R"(
def hfx_pow(self, a: Tensor, b: Tensor) -> Tensor:
    return torch.pow(a, b).to(a.dtype)
)",
          {}}},
        {"hfx_reshape",
         {R"(
def hfx_reshape(self, x: Tensor, shape: Tensor, allowzero: int) -> Tensor:
    dims = self.hfx_ints(shape)
    if allowzero == 0:
        for i in range(len(dims)):
            if dims[i] == 0:
                dims[i] = x.size(i)
    return x.reshape(dims)
)",
          {"hfx_ints"}}},
        {"hfx_flatten",
         {R"(
def hfx_flatten(self, x: Tensor, axis: int) -> Tensor:
    if axis < 0:
        axis += x.dim()
    outer = 1
    for i in range(axis):
        outer *= x.size(i)
    inner = 1
    for i in range(axis, x.dim()):
        inner *= x.size(i)
    return x.reshape([outer, inner])
)",
          {}}},
        {"hfx_expand",
         {R"(
def hfx_expand(self, x: Tensor, shape: Tensor) -> Tensor:
    want = self.hfx_ints(shape)
    n = max(len(want), x.dim())
    out: List[int] = []
    for i in range(n):
        a = 1
        if i >= n - len(want):
            a = want[i - n + len(want)]
        b = 1
        if i >= n - x.dim():
            b = x.size(i - n + x.dim())
        out.append(b if a == 1 else a)
    return x.expand(out)
)",
          {"hfx_ints"}}},
        {"hfx_unsqueeze",
         {R"(
def hfx_unsqueeze(self, x: Tensor, axes: List[int]) -> Tensor:
    rank = x.dim() + len(axes)
    sorted_axes: List[int] = []
    for a in axes:
        sorted_axes.append(a + rank if a < 0 else a)
    sorted_axes.sort()
    for a in sorted_axes:
        x = x.unsqueeze(a)
    return x
)",
          {}}},
        {"hfx_squeeze",
         {R"(
def hfx_squeeze(self, x: Tensor, axes: List[int]) -> Tensor:
    if len(axes) == 0:
        for a in range(x.dim() - 1, -1, -1):
            if x.size(a) == 1:
                x = x.squeeze(a)
        return x
    sorted_axes: List[int] = []
    for a in axes:
        sorted_axes.append(a + x.dim() if a < 0 else a)
    sorted_axes.sort(reverse=True)
    for a in sorted_axes:
        x = x.squeeze(a)
    return x
)",
          {}}},
        {"hfx_reverse_dims",
         {R"(
def hfx_reverse_dims(self, x: Tensor) -> Tensor:
    return x.permute(list(range(x.dim() - 1, -1, -1)))
)",
          {}}},
        {"hfx_split",
         {R"(
def hfx_split(self, x: Tensor, sizes: List[int], parts: int, axis: int) -> List[Tensor]:
    if len(sizes) == 0:
        return list(torch.chunk(x, parts, axis))
    return list(torch.split_with_sizes(x, sizes, axis))
)",
          {}}},
        {"hfx_gather",
         {R"(
def hfx_gather(self, x: Tensor, index: Tensor, axis: int) -> Tensor:
    if axis < 0:
        axis += x.dim()
    index = torch.where(index < 0, index + x.size(axis), index)
    out = torch.index_select(x, axis, index.reshape(-1))
    return out.reshape(x.size()[:axis] + index.size() + x.size()[axis + 1:])
)",
          {}}},
        {"hfx_gather_elements",
         {R"(
def hfx_gather_elements(self, x: Tensor, index: Tensor, axis: int) -> Tensor:
    if axis < 0:
        axis += x.dim()
    return torch.gather(x, axis, torch.where(index < 0, index + x.size(axis), index))
)",
          {}}},
        {"hfx_slice",
         {R"(
def hfx_slice(self, x: Tensor, starts: Tensor, ends: Tensor, axes: Optional[Tensor], steps: Optional[Tensor]) -> Tensor:
    s = self.hfx_ints(starts)
    e = self.hfx_ints(ends)
    ax = list(range(len(s)))
    if axes is not None:
        ax = self.hfx_ints(axes)
    st = [1 for _ in range(len(s))]
    if steps is not None:
        st = self.hfx_ints(steps)
    for k in range(len(s)):
        a = ax[k] + x.dim() if ax[k] < 0 else ax[k]
        d = x.size(a)
        start = s[k] + d if s[k] < 0 else s[k]
        end = e[k] + d if e[k] < 0 else e[k]
        if st[k] > 0:
            start = min(max(start, 0), d)
            end = min(max(end, 0), d)
            x = torch.slice(x, a, start, max(start, end), st[k])
        else:
            start = min(max(start, -1), d - 1)
            end = min(max(end, -1), d - 1)
            x = torch.index_select(x, a, torch.arange(start, end, st[k], dtype=4))
    return x
)",
          {"hfx_ints"}}},
        {"hfx_pad",
         {R"(
def hfx_pad(self, x: Tensor, pads: Tensor, value: Optional[Tensor]) -> Tensor:
    p = self.hfx_ints(pads)
    n = x.dim()
    torch_pads: List[int] = []
    for i in range(n - 1, -1, -1):
        torch_pads.append(p[i])
        torch_pads.append(p[i + n])
    fill = 0.0
    if value is not None:
        if value.numel() > 0:
            fill = float(value.reshape(-1)[0])
    return torch.constant_pad_nd(x, torch_pads, fill)
)",
          {"hfx_ints"}}},
        {"hfx_range",
         {R"(
def hfx_range(self, start: Tensor, limit: Tensor, delta: Tensor) -> Tensor:
    if start.is_floating_point():
        return torch.arange(float(start), float(limit), float(delta), dtype=start.dtype)
    return torch.arange(int(start), int(limit), int(delta), dtype=start.dtype)
)",
          {}}},
        {"hfx_cumsum",
         {R"(
def hfx_cumsum(self, x: Tensor, axis: Tensor, exclusive: int, reverse: int) -> Tensor:
    a = int(axis)
    if reverse != 0:
        x = x.flip([a])
    y = torch.cumsum(x, a, dtype=x.dtype)
    if exclusive != 0:
        y = y - x
    if reverse != 0:
        y = y.flip([a])
    return y
)",
          {}}},
        {"hfx_layer_norm",
         {R"(
def hfx_layer_norm(self, x: Tensor, scale: Tensor, bias: Optional[Tensor], axis: int, epsilon: float) -> Tensor:
    if axis < 0:
        axis += x.dim()
    return torch.layer_norm(x, x.size()[axis:], scale, bias, epsilon)
)",
          {}}},
        {"hfx_gemm",
         {R"(
def hfx_gemm(self, a: Tensor, b: Tensor, c: Optional[Tensor], alpha: float, beta: float, trans_a: int, trans_b: int) -> Tensor:
    if trans_a != 0:
        a = a.t()
    if trans_b != 0:
        b = b.t()
    y = torch.matmul(a, b)
    if alpha != 1.0:
        y = y * alpha
    if c is not None:
        y = y + (c * beta if beta != 1.0 else c)
    return y
)",
          {}}},
        {"hfx_conv",
         {R"(
def hfx_conv(self, x: Tensor, w: Tensor, b: Optional[Tensor], strides: List[int], pads: List[int], dilations: List[int], group: int) -> Tensor:
    n = x.dim() - 2
    if len(strides) == 0:
        strides = [1 for _ in range(n)]
    if len(dilations) == 0:
        dilations = [1 for _ in range(n)]
    if len(pads) == 0:
        pads = [0 for _ in range(2 * n)]
    padding = pads[:n]
    if pads[:n] != pads[n:]:
        torch_pads: List[int] = []
        for i in range(n - 1, -1, -1):
            torch_pads.append(pads[i])
            torch_pads.append(pads[i + n])
        x = torch.constant_pad_nd(x, torch_pads, 0.0)
        padding = [0 for _ in range(n)]
    if n == 1:
        return torch.conv1d(x, w, b, strides, padding, dilations, group)
    if n == 2:
        return torch.conv2d(x, w, b, strides, padding, dilations, group)
    return torch.conv3d(x, w, b, strides, padding, dilations, group)
)",
          {}}},
    };
    return helpers;
}

}  // namespace hfx::ts
