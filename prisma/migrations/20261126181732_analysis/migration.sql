-- CreateTable
CREATE TABLE "OrderExportFormat" (
    "cityCode" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "mapping" JSONB NOT NULL,
    "updatedBy" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OrderExportFormat_pkey" PRIMARY KEY ("cityCode","name")
);

-- CreateTable
CREATE TABLE "Reconciliation" (
    "id" SERIAL NOT NULL,
    "cityCode" TEXT NOT NULL,
    "sessionId" INTEGER,
    "day" TEXT,
    "format" TEXT NOT NULL,
    "fileRows" INTEGER NOT NULL,
    "result" JSONB NOT NULL,
    "createdBy" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Reconciliation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Reconciliation_cityCode_createdAt_idx" ON "Reconciliation"("cityCode", "createdAt");

-- CreateIndex
CREATE INDEX "Reconciliation_sessionId_idx" ON "Reconciliation"("sessionId");
