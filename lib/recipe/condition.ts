/**
 * The small comparison language of `when:` — values, comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`), `and`,
 * `or`, `not` and parentheses. References (`${name}`) are filled in before parsing; nothing is ever evaluated as
 * code.
 *
 * @module
 */

/** A parsed condition. */
export type Condition =
  | { kind: "value"; value: string | number; quoted: boolean }
  | { kind: "compare"; op: CompareOp; left: Condition; right: Condition }
  | { kind: "and" | "or"; left: Condition; right: Condition }
  | { kind: "not"; operand: Condition };

/** Comparison operators. */
export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** A condition that does not parse; `column` is 1-based within the condition text. */
export class ConditionSyntaxError extends Error {
  /** 1-based column of the problem within the text. */
  readonly column: number;
  constructor(message: string, column: number) {
    super(message);
    this.name = "ConditionSyntaxError";
    this.column = column;
  }
}

interface Token {
  text: string;
  kind: "op" | "word" | "string" | "number" | "paren";
  at: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:(==|!=|<=|>=|<|>)|(\(|\))|'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?|0x[0-9a-fA-F]+)(?![\w.])|([\w.\-/]+))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) {
      const column = at + (text.slice(at).length - text.slice(at).trimStart().length) + 1;
      throw new ConditionSyntaxError(`unexpected '${text.slice(column - 1, column)}'`, column);
    }
    const start = match.index + match[0].length - match[0].trimStart().length;
    const [, op, paren, single, double, number, word] = match;
    if (op) tokens.push({ text: op, kind: "op", at: start });
    else if (paren) tokens.push({ text: paren, kind: "paren", at: start });
    else if (single !== undefined || double !== undefined) {
      tokens.push({ text: single ?? double ?? "", kind: "string", at: start });
    } else if (number) tokens.push({ text: number, kind: "number", at: start });
    else tokens.push({ text: word, kind: "word", at: start });
    at = pattern.lastIndex;
  }
  return tokens;
}

/** Parses a condition; throws {@linkcode ConditionSyntaxError}. */
export function parseCondition(text: string): Condition {
  const tokens = tokenize(text);
  let index = 0;
  const peek = () => tokens[index];
  const fail = (message: string): never => {
    throw new ConditionSyntaxError(message, (peek()?.at ?? text.length) + 1);
  };
  const word = (w: string) => peek()?.kind === "word" && peek().text === w;

  function orExpr(): Condition {
    let left = andExpr();
    while (word("or")) {
      index++;
      left = { kind: "or", left, right: andExpr() };
    }
    return left;
  }
  function andExpr(): Condition {
    let left = notExpr();
    while (word("and")) {
      index++;
      left = { kind: "and", left, right: notExpr() };
    }
    return left;
  }
  function notExpr(): Condition {
    if (word("not")) {
      index++;
      return { kind: "not", operand: notExpr() };
    }
    return compare();
  }
  function compare(): Condition {
    const left = operand();
    const token = peek();
    if (token?.kind === "op") {
      index++;
      return { kind: "compare", op: token.text as CompareOp, left, right: operand() };
    }
    return left;
  }
  function operand(): Condition {
    const token = peek();
    if (!token) return fail("a value is missing at the end");
    if (token.kind === "paren" && token.text === "(") {
      index++;
      const inner = orExpr();
      if (peek()?.text !== ")") fail("')' expected");
      index++;
      return inner;
    }
    if (token.kind === "op" || token.kind === "paren") return fail(`a value is expected before '${token.text}'`);
    if (token.kind === "word" && ["and", "or", "not"].includes(token.text)) {
      return fail(`a value is expected before '${token.text}'`);
    }
    index++;
    if (token.kind === "number") return { kind: "value", value: Number(token.text), quoted: false };
    return { kind: "value", value: token.text, quoted: token.kind === "string" };
  }

  if (tokens.length === 0) throw new ConditionSyntaxError("the condition is empty", 1);
  const condition = orExpr();
  if (index < tokens.length) fail(`unexpected '${peek().text}'`);
  return condition;
}

function truthy(value: string | number | boolean): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  return value !== "" && value !== "false" && value !== "0" && value !== "no";
}

function valueOf(condition: Condition): string | number | boolean {
  if (condition.kind === "value") {
    if (!condition.quoted && condition.value === "true") return true;
    if (!condition.quoted && condition.value === "false") return false;
    return condition.value;
  }
  return evaluateCondition(condition);
}

/** Evaluates a parsed condition. Numbers compare as numbers, everything else as text. */
export function evaluateCondition(condition: Condition): boolean {
  switch (condition.kind) {
    case "value":
      return truthy(valueOf(condition));
    case "not":
      return !evaluateCondition(condition.operand);
    case "and":
      return evaluateCondition(condition.left) && evaluateCondition(condition.right);
    case "or":
      return evaluateCondition(condition.left) || evaluateCondition(condition.right);
    case "compare": {
      const left = valueOf(condition.left);
      const right = valueOf(condition.right);
      const numeric = typeof left === "number" && typeof right === "number";
      const a = numeric ? left : String(left);
      const b = numeric ? right : String(right);
      switch (condition.op) {
        case "==":
          return a === b;
        case "!=":
          return a !== b;
        case "<":
          return a < b;
        case "<=":
          return a <= b;
        case ">":
          return a > b;
        case ">=":
          return a >= b;
      }
    }
  }
}
