#!/usr/bin/env python3
"""Prints the numpy results that tests/test_tensor.cpp pins as literals.

Inputs are built the way the test builds them: arange(shape, start, step) is
start + i*step in row-major order; pattern(shape) is ((i*7) % 11) - 5, which has
repeats and negatives so argmax/max see ties. Run with a python that has numpy
(Debian: /usr/bin/python3 after `apt-get install python3-numpy`).
"""
import numpy as np


def arange(shape, start=0.0, step=1.0):
    n = int(np.prod(shape))
    return (start + step * np.arange(n)).astype(np.float32).reshape(shape)


def pattern(shape):
    n = int(np.prod(shape))
    return (((np.arange(n) * 7) % 11) - 5).astype(np.float32).reshape(shape)


def lit(x):
    x = np.asarray(x, dtype=np.float32)
    vals = ", ".join(np.format_float_positional(v, unique=True, trim="-") + "f"
                     for v in x.ravel())
    return f"{{{', '.join(str(d) for d in x.shape)}}}, {{{vals}}}"


def err(f):
    try:
        f()
    except Exception as e:  # numpy's own wording is what the test pins
        return str(e)
    return "no error"


def show(name, x):
    print(f"{name}: shape={x.shape}\n    {lit(x)}")


show("(3,1)+(1,4)", arange((3, 1)) + arange((1, 4), 0, 10))
show("(3,1)-(1,4)", arange((3, 1)) - arange((1, 4), 0, 10))
show("(2,3)+(3,)", arange((2, 3)) + arange((3,), 10, 10))
show("(2,3)*(3,)", arange((2, 3)) * arange((3,), 10, 10))
show("(2,3)*()", arange((2, 3)) * np.float32(2.5))
show("(2,3)/(1,1)", arange((2, 3), 1) / np.full((1, 1), 3, np.float32))
show("()-(2,3)", np.float32(1) - arange((2, 3)))
show("(4,1,3)/(2,1)", arange((4, 1, 3), 1) / arange((2, 1), 2))
show("()+()", np.float32(1.5) + np.float32(2.25))
print("broadcast error:", repr(err(lambda: np.ones((4, 5)) + np.ones((5, 4)))))
print("broadcast error 2:", repr(err(lambda: np.ones((2, 3)) + np.ones((2,)))))

print("reshape error:", repr(err(lambda: arange((12,)).reshape(5, 3))))
print("reshape -1 error:", repr(err(lambda: arange((12,)).reshape(5, -1))))
show("reshape(2,-1,3)", arange((12,)).reshape(2, -1, 3))

show("(2,3).T", arange((2, 3)).T)
show("transpose (1,2,0)", arange((2, 3, 4)).transpose(1, 2, 0))
show("transpose (-1,0,1)", arange((2, 3, 4)).transpose(-1, 0, 1))
print("axes error:", repr(err(lambda: arange((2, 3)).transpose(0))))
print("repeat error:", repr(err(lambda: arange((2, 3)).transpose(1, 1))))

show("dot (3,).(3,)", np.dot(arange((3,), 1), arange((3,), 4)))
show("dot (2,3).(3,)", np.dot(arange((2, 3)), arange((3,), 1)))
show("dot (3,).(3,2)", np.dot(arange((3,), 1), arange((3, 2), -2)))
show("dot (2,3).(3,4)", np.dot(arange((2, 3), 1, 0.5), arange((3, 4), -3)))
print("dot error:", repr(err(lambda: np.dot(np.ones((2, 3)), np.ones((2, 3))))))
print("dot 1-D error:", repr(err(lambda: np.dot(np.ones((3,)), np.ones((4,))))))
print("dot 2-D.1-D error:", repr(err(lambda: np.dot(np.ones((2, 3)), np.ones((4,))))))

show("matmul (4,2,3)x(3,5)", np.matmul(arange((4, 2, 3), -6, 0.5), pattern((3, 5))))
show("matmul (2,2,3)x(3,)", np.matmul(arange((2, 2, 3)), arange((3,), 1)))
print("matmul error:", repr(err(lambda: np.matmul(np.ones((4, 2, 3)), np.ones((4, 5))))))

x = np.array([[[1, 2], [3, 4]], [[11, 12], [13, 14]]], np.float32)
show("notes sum(axis=1)", x.sum(axis=1))
p = pattern((2, 3, 4))
show("pattern(2,3,4)", p)
show("sum axis=-1 keepdims", p.sum(axis=-1, keepdims=True))
show("sum axis=0", p.sum(axis=0))
show("mean axis=1", p.mean(axis=1))
show("mean axis=-3 keepdims", p.mean(axis=-3, keepdims=True))
show("max axis=-2 keepdims", p.max(axis=-2, keepdims=True))
show("max axis=2", p.max(axis=2))
show("argmax axis=1", p.argmax(axis=1))
show("argmax axis=-1 keepdims", np.expand_dims(p.argmax(axis=-1), -1))
show("argmax axis=0", p.argmax(axis=0))
print("whole sum/mean/max/argmax:", p.sum(), p.mean(), p.max(), p.argmax())
print("axis error:", repr(err(lambda: p.sum(axis=3))))
print("axis error neg:", repr(err(lambda: p.sum(axis=-4))))

t = np.array([[3, 1, 3], [0, 7, 7]], np.float32)
show("ties argmax axis=1", t.argmax(axis=1))
show("ties argmax axis=0", t.argmax(axis=0))
n = np.array([1, np.nan, 3, np.nan], np.float32)
print("nan max/argmax:", n.max(), n.argmax())
