/** The account as every step's record keeps it (UserRemoval's and AccountSuspension's stored state). */
import { z } from "zod";

export const recordedAccountFields = {
  userId: z.string(),
  email: z.string(),
  displayName: z.string(),
  accountType: z.string(),
};
