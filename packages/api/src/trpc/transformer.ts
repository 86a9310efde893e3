// superjson for /trpc, with the JSON depth cap applied to every call's input before superjson
// (which recurses) walks it: the tRPC adapter parses bodies and `?input=` itself, so this is
// the first place after parsing that sees each input.
import { TRPCError, type CombinedDataTransformer } from '@trpc/server';
import superjson from 'superjson';
import { exceedsJsonDepth, JSON_TOO_DEEP_MESSAGE } from '../http/json-depth.ts';

export const transformer: CombinedDataTransformer = {
  input: {
    serialize: (value: unknown) => superjson.serialize(value),
    deserialize: (value: Parameters<typeof superjson.deserialize>[0]): unknown => {
      if (exceedsJsonDepth(value)) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: JSON_TOO_DEEP_MESSAGE });
      }
      return superjson.deserialize(value);
    },
  },
  output: superjson,
};
