/**
 * HTTP sequences (wire-contracts section 5): GET /fibonacci/{n}/, /ackermann/{m}/{n}/,
 * /factorial/{n}/, with or without the trailing slash. 200 {"response": "<decimal>"};
 * bad input 400 {"error": "invalid number: <input>"} (the InputError message).
 */
import {
  MAX_ACKERMANN_M,
  MAX_ACKERMANN_N,
  MAX_FACTORIAL,
  MAX_FIBONACCI,
  ackermann,
  factorial,
  fibonacci,
  parseSequenceArg,
} from "../../sequences/sequences.js";
import type { HttpRoute } from "../http-router.js";
import { jsonReply } from "../http-server.js";

export function sequenceRoutes(): HttpRoute[] {
  const answer = (value: bigint): ReturnType<typeof jsonReply> =>
    jsonReply(200, { response: value.toString() });
  return [
    {
      methods: ["GET"],
      path: "/fibonacci/:n",
      handler: ({ params }) => answer(fibonacci(parseSequenceArg(params.n ?? "", MAX_FIBONACCI))),
    },
    {
      methods: ["GET"],
      path: "/factorial/:n",
      handler: ({ params }) => answer(factorial(parseSequenceArg(params.n ?? "", MAX_FACTORIAL))),
    },
    {
      methods: ["GET"],
      path: "/ackermann/:m/:n",
      handler: ({ params }) => {
        const m = parseSequenceArg(params.m ?? "", MAX_ACKERMANN_M);
        const n = parseSequenceArg(params.n ?? "", MAX_ACKERMANN_N);
        return answer(ackermann(m, n));
      },
    },
  ];
}
