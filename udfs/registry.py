"""One decorator that registers a worksheet function for every xlwings runtime.

``xlwings.func/arg/ret`` are different objects depending on where xlwings is imported:

* Windows with pywin32 (classic desktop): ``xlwings.udfs.xlfunc/xlarg/xlret``, read by
  "Import Functions" / :mod:`addin.generate_vba` to write the VBA wrappers;
* xlwings Lite and xlwings Server (``XLWINGS_ON_SERVER=true``):
  ``xlwings.server.func/arg/ret``, read by ``custom_functions_meta/call``;
* anywhere else: pass-through decorators, so the functions are plain functions.

:func:`excel_function` applies whichever set is active, and records an undecorated copy of the
function with its argument options in :data:`EXCEL_FUNCTIONS`, so the classic VBA module can be
generated from the same registry on any platform (:mod:`addin.generate_vba`).
"""

from __future__ import annotations

import inspect
import sys
import types
from dataclasses import dataclass, field
from typing import Any, Callable

CATEGORY = "claimcheck"

#: Options for an argument that may be a range: always a 2D list, Excel errors as text.
RANGE = {"ndim": 2, "err_to_str": True}
#: Options for a single-value argument: Excel errors as text (``#N/A``), not blank.
VALUE = {"err_to_str": True}


@dataclass(frozen=True)
class ExcelFunction:
    name: str  # the Excel name (the Python name, upper case)
    plain: Callable[..., Any]  # an undecorated copy
    args: dict[str, dict] = field(default_factory=dict)
    ret: dict = field(default_factory=dict)


EXCEL_FUNCTIONS: list[ExcelFunction] = []


def undecorated_copy(f: Callable[..., Any]) -> Callable[..., Any]:
    """A new function object with ``f``'s code, name and annotations and none of its decorations."""
    g = types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)
    g.__doc__ = f.__doc__
    g.__annotations__ = dict(getattr(f, "__annotations__", {}))
    g.__kwdefaults__ = f.__kwdefaults__
    g.__module__ = f.__module__
    g.__qualname__ = f.__qualname__
    return g


#: The module of xlwings' Office.js decorators (xlwings Lite and xlwings Server).
OFFICEJS_DECORATORS = "xlwings.pro.udfs_officejs"


def runtime_options(options: dict, officejs: bool) -> dict:
    """An argument's converter options for one runtime.  Under Office.js (xlwings Lite) every
    argument is taken raw: xlwings would otherwise clean a 10,000-line range cell by cell (about
    0.7 s, most of CHECK_CLAIMS' time there), and :mod:`udfs.convert` already reads what Office.js
    sends (blanks as null or "", errors as ``{"type": "Error", ...}``, a single cell as a scalar,
    dates as serial numbers).  Classic Excel keeps xlwings' conversion: COM hands errors over as
    numbers, which only ``err_to_str`` turns into ``#N/A`` text."""
    if not officejs:
        return dict(options)
    return {"convert": "raw", **({"doc": options["doc"]} if "doc" in options else {})}


def apply(f: Callable[..., Any], spec: ExcelFunction, func, arg, ret) -> Callable[..., Any]:
    """Decorate ``f`` with one runtime's decorators according to ``spec``."""
    officejs = getattr(arg, "__module__", "") == OFFICEJS_DECORATORS
    for name, options in spec.args.items():
        f = arg(name, **runtime_options(options, officejs))(f)
    if spec.ret:
        f = ret(**dict(spec.ret))(f)
    return func(category=CATEGORY)(f)


def name_jsnull(modules: dict = sys.modules) -> bool:
    """Give Pyodide's ``pyodide.ffi`` a ``JsNull`` where it has none; True when it did.

    xlwings (0.37) runs ``from pyodide.ffi import JsNull`` for every argument of every call
    (``udfs_officejs.js_to_none``) to turn the sentinel Pyodide 0.28 hands over for a JavaScript
    null back into None.  Pyodide 0.27, xlwings Lite's runtime, has no such name, so the import
    fails, and is searched for again, on every argument: about 0.07 ms each in Pyodide, most of
    the dispatch of a CHECK_CLAIM call.  The stand-in is a class no value is an instance of (0.27
    hands a null over as None), so xlwings answers as before, at once.  A Pyodide that has its
    own ``JsNull`` is left alone."""
    ffi = modules.get("pyodide.ffi")
    if ffi is None or hasattr(ffi, "JsNull"):
        return False

    class JsNull:
        """No value is one: Pyodide before 0.28 hands a JavaScript null over as None."""

    JsNull.__module__ = ffi.__name__
    ffi.JsNull = JsNull
    return True


if sys.platform == "emscripten":  # (xlwings Lite)
    import pyodide.ffi  # noqa: F401  (loaded with Pyodide; named here for name_jsnull)

    name_jsnull()


def excel_function(args: dict[str, dict] | None = None, ret: dict | None = None):
    """Register a worksheet function (its Python name is its Excel name)."""
    import xlwings as xw

    def decorate(f):
        if f.__name__ != f.__name__.upper():
            raise ValueError(f"{f.__name__}: worksheet functions are named in upper case")
        spec = ExcelFunction(name=f.__name__, plain=undecorated_copy(f), args=dict(args or {}), ret=dict(ret or {}))
        EXCEL_FUNCTIONS.append(spec)
        decorated = apply(f, spec, xw.func, xw.arg, xw.ret)
        # xlwings' Office.js dispatch asks every call for the function's signature (to inject its
        # special arguments); stated once here, inspect.signature answers it without working it
        # out again from the code object each call.
        decorated.__signature__ = inspect.signature(f)
        return decorated

    return decorate
