package export

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// xlsxRewrite edits an XLSX export in place with excelize and writes the
// workbook to w: cells are set one by one, so other sheets, styles, column
// widths and formats stay; dropped rows are removed bottom-up, so that each
// removal leaves the numbers of the rows still to remove as they were.
// Formulas stay, but their cached results are cleared (see below).
func xlsxRewrite(ctx context.Context, r io.Reader, w *bufio.Writer, p Profile, ed *editor) error {
	wb, err := openWorkbook(r)
	if err != nil {
		return err
	}
	defer wb.f.Close()
	sheets, err := wb.sheets(p)
	if err != nil {
		return err
	}
	for _, sh := range sheets {
		var t *table
		var data []int
		_, err := wb.rows(ctx, sh, p, func(tt *table, row int, _ []string) error {
			t = tt
			data = append(data, row)
			return nil
		})
		if err != nil {
			return err
		}
		if t == nil {
			continue
		}
		if err := wb.editSheet(ctx, sh, t, data, ed); err != nil {
			return err
		}
	}
	if ed.counts.Dropped == 0 && ed.counts.Changed == 0 {
		return nil
	}
	// A formula elsewhere (=A2, a VLOOKUP on a summary sheet) keeps its
	// last result in the file: a copy of a value just changed or dropped.
	// Clear every formula's cached result; Excel computes them anew when
	// it opens the workbook.
	if err := wb.f.UpdateLinkedValue(); err != nil {
		return fmt.Errorf("clearing formula results: %w", err)
	}
	if err := wb.f.Write(w); err != nil {
		return fmt.Errorf("writing the workbook: %w", err)
	}
	return nil
}

func (wb *workbook) editSheet(ctx context.Context, sheet string, t *table, data []int, ed *editor) error {
	var drops []int
	for n, row := range data {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ed.counts.Rows++
		if ed.dropRow(row, sheet) {
			drops = append(drops, row)
			continue
		}
		for _, f := range t.fields {
			if f.col < 0 {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(f.col+1, row)
			if err != nil {
				return err
			}
			in := wb.readCell(sheet, cell)
			out, ok, err := ed.edit(row, sheet, f.kind, in)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if err := wb.writeCell(sheet, cell, in, out); err != nil {
				return fmt.Errorf("sheet %q, cell %s: %w", sheet, cell, err)
			}
		}
	}
	for i := len(drops) - 1; i >= 0; i-- {
		if err := wb.f.RemoveRow(sheet, drops[i]); err != nil {
			return fmt.Errorf("sheet %q: removing row %d: %w", sheet, drops[i], err)
		}
	}
	return nil
}

// readCell returns a cell as a Cell, typed by its XLSX type and format.
func (wb *workbook) readCell(sheet, cell string) Cell {
	raw, _ := wb.f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	num := func(c Cell) Cell {
		if n, err := strconv.ParseFloat(raw, 64); err == nil {
			c.N = n
		}
		return c
	}
	if formula, _ := wb.f.GetCellFormula(sheet, cell); formula != "" {
		return num(Cell{Kind: Formula, S: raw})
	}
	typ, _ := wb.f.GetCellType(sheet, cell)
	if raw == "" {
		return Cell{}
	}
	switch typ {
	case excelize.CellTypeBool:
		return Cell{Kind: Bool, B: raw == "1" || strings.EqualFold(raw, "true")}
	case excelize.CellTypeDate:
		if tm, err := time.Parse(time.RFC3339Nano, raw); err == nil {
			return Cell{Kind: Date, T: tm, S: raw}
		}
		return Cell{Kind: String, S: raw}
	case excelize.CellTypeNumber, excelize.CellTypeUnset:
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return Cell{Kind: String, S: raw}
		}
		if wb.dateStyled(sheet, cell) {
			if tm, ok := wb.serialTime(n); ok {
				return Cell{Kind: Date, T: tm, N: n, S: raw}
			}
		}
		return Cell{Kind: Number, N: n, S: raw}
	}
	return Cell{Kind: String, S: raw}
}

// writeCell writes out over the cell that held in. The cell keeps its
// style; a formula is removed first, so that the new value is a value.
func (wb *workbook) writeCell(sheet, cell string, in, out Cell) error {
	f := wb.f
	if in.Kind == Formula || out.Kind == Empty {
		if err := f.SetCellDefault(sheet, cell, ""); err != nil {
			return err
		}
	}
	switch out.Kind {
	case String, Formula:
		return f.SetCellStr(sheet, cell, out.S)
	case Number:
		return f.SetCellFloat(sheet, cell, out.N, -1, 64)
	case Date:
		if in.Kind == Date && in.N != 0 {
			// A date-formatted number: keep the format, change the number.
			return f.SetCellFloat(sheet, cell, excelSerial(out.T, wb.date1904), -1, 64)
		}
		return f.SetCellStr(sheet, cell, dateText(out.T))
	case Bool:
		return f.SetCellBool(sheet, cell, out.B)
	}
	return nil
}
