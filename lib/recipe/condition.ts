/**
 * The small comparison language of `when:` — values, comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`), `and`,
 * `or`, `not` and parentheses. References (`${name}`) are filled in before parsing; nothing is ever evaluated as
 * code.
 *
 * Input never decides how deep the parser or the evaluator recurses: a condition is at most
 * {@linkcode MAX_CONDITION_LENGTH} characters, with at most {@linkcode MAX_CONDITION_TERMS} values and parentheses or
 * `not`s nested at most {@linkcode MAX_CONDITION_DEPTH} deep; chains of `and`/`or` are lists, evaluated in a loop.
 *
 * @module
 */

/** Most characters in one condition (after references are filled in). */
export const MAX_CONDITION_LENGTH = 4096;
/** Most values (operands of comparisons, `and`, `or`) in one condition. */
export const MAX_CONDITION_TERMS = 256;
/** Deepest nesting of parentheses and `not`. */
export const MAX_CONDITION_DEPTH = 32;

/** A parsed condition. */
export type Condition =
  | { kind: "value"; value: string | number; quoted: boolean }
  | { kind: "compare"; op: CompareOp; left: Condition; right: Condition }
  | { kind: "and" | "or"; operands: Condition[] }
  | { kind: "not"; operand: Condition };

/** Comparison operators. */
export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** A condition that does not parse; `column` is 1-based within the condition text. */
export class ConditionSyntaxError extends Error {
  /** 1-based column of the problem within the text. */
  readonly column: number;
  /** Whether the condition is well formed but goes past a limit (length, terms, nesting). */
  readonly limit: boolean;
  constructor(message: string, column: number, limit = false) {
    super(message);
    this.name = "ConditionSyntaxError";
    this.column = column;
    this.limit = limit;
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
  const space = /\s*/y;
  let at = 0;
  while (at < text.length) {
    // Sticky patterns from `at`: no copies of the rest of the text, so tokenizing stays linear.
    space.lastIndex = at;
    space.exec(text);
    if (space.lastIndex >= text.length) break;
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) {
      const column = space.lastIndex + 1;
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
  if (text.length > MAX_CONDITION_LENGTH) {
    throw new ConditionSyntaxError(
      `the condition is ${text.length} characters long, more than ${MAX_CONDITION_LENGTH}`,
      MAX_CONDITION_LENGTH + 1,
      true,
    );
  }
  const tokens = tokenize(text);
  let index = 0;
  let depth = 0;
  let terms = 0;
  const peek = () => tokens[index];
  const fail = (message: string): never => {
    throw new ConditionSyntaxError(message, (peek()?.at ?? text.length) + 1);
  };
  const word = (w: string) => peek()?.kind === "word" && peek().text === w;
  // Parentheses and `not` are the only recursion, and each level is counted here.
  const nested = <T>(parse: () => T): T => {
    if (++depth > MAX_CONDITION_DEPTH) {
      throw new ConditionSyntaxError(
        `parentheses and 'not' nest more than ${MAX_CONDITION_DEPTH} deep`,
        (peek()?.at ?? text.length) + 1,
        true,
      );
    }
    const result = parse();
    depth--;
    return result;
  };

  function orExpr(): Condition {
    const operands = [andExpr()];
    while (word("or")) {
      index++;
      operands.push(andExpr());
    }
    return operands.length === 1 ? operands[0] : { kind: "or", operands };
  }
  function andExpr(): Condition {
    const operands = [notExpr()];
    while (word("and")) {
      index++;
      operands.push(notExpr());
    }
    return operands.length === 1 ? operands[0] : { kind: "and", operands };
  }
  function notExpr(): Condition {
    if (word("not")) {
      index++;
      return { kind: "not", operand: nested(notExpr) };
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
      const inner = nested(orExpr);
      if (peek()?.text !== ")") fail("')' expected");
      index++;
      return inner;
    }
    if (token.kind === "op" || token.kind === "paren") return fail(`a value is expected before '${token.text}'`);
    if (token.kind === "word" && ["and", "or", "not"].includes(token.text)) {
      return fail(`a value is expected before '${token.text}'`);
    }
    if (++terms > MAX_CONDITION_TERMS) {
      throw new ConditionSyntaxError(`more than ${MAX_CONDITION_TERMS} values in one condition`, token.at + 1, true);
    }
    index++;
    if (token.kind === "number") {
      const value = Number(token.text);
      // Whole numbers past 2^53 round: 12345678901234567890 == 12345678901234567891 would hold.
      if (!token.text.includes(".") && !Number.isSafeInteger(value)) {
        index--;
        return fail(
          `${token.text} is larger than ${Number.MAX_SAFE_INTEGER} and cannot be compared exactly as a number ` +
            "(quote both sides to compare them as text)",
        );
      }
      return { kind: "value", value, quoted: false };
    }
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
      return condition.operands.every(evaluateCondition);
    case "or":
      return condition.operands.some(evaluateCondition);
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
