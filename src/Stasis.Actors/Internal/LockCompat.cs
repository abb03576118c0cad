// System.Threading.Lock exists from .NET 9; on .NET 8 the same `lock` statements use a plain monitor object.
#if !NET9_0_OR_GREATER
global using Lock = object;
#endif
