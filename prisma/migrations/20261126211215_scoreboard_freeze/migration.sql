-- CreateTable
CREATE TABLE "ScoreboardFreeze" (
    "stageId" INTEGER NOT NULL,
    "frozenAt" TIMESTAMP(3) NOT NULL,
    "frozenBy" INTEGER,
    "standings" JSONB NOT NULL,

    CONSTRAINT "ScoreboardFreeze_pkey" PRIMARY KEY ("stageId")
);
