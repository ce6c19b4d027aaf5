// The lazily loaded KaTeX bundle (reactchat/static/katex.js); math.ts imports it on first use.
import katex from "katex";

export default katex;
